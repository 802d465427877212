import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What a test server saw of one request. */
export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  sha256: string;
}

/** A node:http server on 127.0.0.1:0 that records requests (bodies hashed, never buffered). */
export async function localServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void,
) {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const hash = createHash("sha256");
    const entry: Seen = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      bytes: 0,
      sha256: "",
    };
    seen.push(entry);
    req.on("data", (chunk: Buffer) => {
      entry.bytes += chunk.length;
      hash.update(chunk);
    });
    req.on("end", () => {
      entry.sha256 = hash.digest("hex");
    });
    handler(req, res, entry);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Waits for the request body to end, then calls `fn`. */
export function afterBody(req: http.IncomingMessage, fn: () => void): void {
  if (req.readableEnded) fn();
  else req.on("end", fn);
}
