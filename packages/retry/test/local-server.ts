// A small HTTP/1.1 server on 127.0.0.1 with a hand-written handler per test, for what the testkit's
// scripted steps do not express: answers chosen by request index, a reset after part of an upload,
// Range + If-Range, listening on a given port. The server records what it saw and closes every
// socket on close().
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the server saw of one request. */
export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  /** Which connection it came on (1-based, in accept order). */
  readonly socket: number;
}

/** Handles request number `index` (0-based). It may leave the body unread. */
export type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void | Promise<void>;

export interface LocalServer {
  readonly origin: string;
  readonly requests: Seen[];
  url(path?: string): string;
  close(): Promise<void>;
}

export async function startLocalServer(handler: Handler, port = 0): Promise<LocalServer> {
  const requests: Seen[] = [];
  const sockets = new Map<Socket, number>();
  const server = createServer((req, res) => {
    const index = requests.length;
    requests.push({
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      socket: sockets.get(req.socket) ?? 0,
    });
    Promise.resolve(handler(req, res, index)).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.on("connection", (socket) => {
    sockets.set(socket, sockets.size + 1);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    url: (path = "/") => origin + path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets.keys()) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads a whole request body and returns its length and sha256. */
export async function digestBody(req: IncomingMessage): Promise<{ length: number; sha256: string }> {
  const hash = createHash("sha256");
  let length = 0;
  for await (const chunk of req) {
    hash.update(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return { length, sha256: hash.digest("hex") };
}

/** Deterministic bytes: the same `size` gives the same content. */
export function patternBytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
