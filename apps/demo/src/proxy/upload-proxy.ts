import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Transform } from "node:stream";
import { Busboy, type BusboyFileStream } from "@fastify/busboy";
import { type Client, isSwitchyardError, redactUrl } from "@switchyard/core";

/** What happened to one file field. */
export interface UploadResult {
  readonly field: string;
  readonly filename: string;
  /** Where it was PUT (redacted). */
  readonly url: string;
  readonly bytes: number;
  /** Hex sha256 of the bytes that went through the proxy. */
  readonly sha256: string;
  /** The upstream status, when there was an answer. */
  readonly status?: number;
  readonly error?: string;
  readonly ms: number;
}

/** Options of {@link startUploadProxy}. */
export interface UploadProxyOptions {
  readonly client: Client;
  /** Base URL files are PUT under: `s3://bucket/prefix`, `https://host/path`... */
  readonly target: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** Called once per file, when its PUT settled. */
  readonly onUpload?: (result: UploadResult) => void;
}

/** A running proxy. */
export interface UploadProxy {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const FORM = `<!doctype html><meta charset="utf-8"><title>Switchyard upload proxy</title>
<form method="post" enctype="multipart/form-data"><input type="file" name="file" multiple> <button>Upload</button></form>
<p>Each file is streamed as a PUT through the Switchyard client; nothing is buffered.</p>`;

/** A file name safe to put in a URL path segment: no directories, encoded. */
export function targetUrl(target: string, filename: string): string {
  const name = filename.split(/[\\/]/).pop()?.trim() || "upload";
  const safe = name === "." || name === ".." ? "upload" : name;
  const base = target.endsWith("/") ? target : `${target}/`;
  return new URL(encodeURIComponent(safe), base).href;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function errorText(error: unknown): string {
  if (isSwitchyardError(error)) return `${error.name} (${error.code}): ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The streaming upload proxy: an HTTP server that parses `multipart/form-data` uploads with a
 * streaming parser and sends each file field, as it arrives, as a PUT through the Switchyard client.
 * A file's bytes flow socket -> parser -> PUT body with backpressure the whole way, so memory
 * stays flat whatever the upload size. A text field named `size` sent before a file gives that
 * file's `Content-Length` (S3 needs one; plain HTTP targets get chunked uploads without it).
 */
export async function startUploadProxy(options: UploadProxyOptions): Promise<UploadProxy> {
  const { client, target } = options;
  let uploads = 0;
  let uploadedBytes = 0;

  function handleUpload(req: IncomingMessage, res: ServerResponse): void {
    let busboy: InstanceType<typeof Busboy>;
    try {
      busboy = new Busboy({
        headers: req.headers as { "content-type": string },
        limits: { files: 100, fields: 100, fieldSize: 64 * 1024 },
      });
    } catch (error) {
      req.resume();
      json(res, 400, { error: `not a multipart upload: ${(error as Error).message}` });
      return;
    }
    const jobs: Promise<UploadResult>[] = [];
    let size: number | undefined;
    busboy.on("field", (name, value) => {
      if (name === "size" && /^\d+$/.test(value)) size = Number(value);
    });
    busboy.on(
      "file",
      (field: string, file: BusboyFileStream, filename: string, _encoding: string, mime: string) => {
        jobs.push(putFile(field, file, filename, mime, size));
        size = undefined;
      },
    );
    const failed = (error: unknown) => {
      req.unpipe(busboy);
      req.resume();
      if (!res.headersSent) json(res, 400, { error: `malformed upload: ${errorText(error)}` });
    };
    busboy.on("error", failed);
    busboy.on("finish", () => {
      void Promise.all(jobs).then((files) => {
        const ok = files.length > 0 && files.every((f) => f.error === undefined);
        const status = ok
          ? 200
          : files.length === 0
            ? 400
            : files.some((f) => /missing-content-length|Content-Length/i.test(f.error ?? ""))
              ? 411
              : 502;
        if (!res.headersSent)
          json(res, status, files.length === 0 ? { error: "no file fields in the upload" } : { files });
      });
    });
    req.pipe(busboy);
  }

  async function putFile(
    field: string,
    file: BusboyFileStream,
    filename: string,
    mime: string,
    size: number | undefined,
  ): Promise<UploadResult> {
    const started = performance.now();
    const url = targetUrl(target, filename);
    const hash = createHash("sha256");
    let bytes = 0;
    // Counts and hashes on the way through; `pipe` carries backpressure from the PUT to the parser.
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    file.pipe(tap);
    const result = (status: number | undefined, error?: unknown): UploadResult => {
      uploads++;
      uploadedBytes += bytes;
      return {
        field,
        filename,
        url: redactUrl(url),
        bytes,
        sha256: hash.digest("hex"),
        ...(status === undefined ? {} : { status }),
        ...(error === undefined ? {} : { error: typeof error === "string" ? error : errorText(error) }),
        ms: Math.round(performance.now() - started),
      };
    };
    let outcome: UploadResult;
    try {
      const res = await client.request(url, {
        method: "PUT",
        body: tap,
        headers: {
          "content-type": mime || "application/octet-stream",
          ...(size === undefined ? {} : { "content-length": String(size) }),
        },
      });
      if (res.ok) {
        await res.discard();
        outcome = result(res.status);
      } else {
        const text = (await res.text().catch(() => "")).slice(0, 200).trim();
        outcome = result(res.status, `upstream answered ${res.status}: ${text}`);
      }
    } catch (error) {
      outcome = result(undefined, error);
    } finally {
      // If the PUT stopped reading (it failed), drain the rest of this part so the next one parses.
      if (!file.readableEnded) {
        file.unpipe(tap);
        file.resume();
      }
      tap.destroy();
    }
    options.onUpload?.(outcome);
    return outcome;
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/_stats") {
      const usage = process.resourceUsage();
      json(res, 200, {
        rss: process.memoryUsage().rss,
        maxRss: usage.maxRSS * 1024,
        uploads,
        uploadedBytes,
      });
      return;
    }
    if (req.method === "GET" && path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(FORM);
      return;
    }
    if (req.method !== "POST" && req.method !== "PUT") {
      req.resume();
      json(res, 405, { error: "POST a multipart/form-data upload" });
      return;
    }
    handleUpload(req, res);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  await once(server, "listening");
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
