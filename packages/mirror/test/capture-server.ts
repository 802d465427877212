import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request a capture server received. */
export interface CapturedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A node:http server on 127.0.0.1 that records requests and answers with `reply`. */
export interface CaptureServer {
  readonly url: string;
  readonly requests: CapturedRequest[];
  close(): Promise<void>;
}

/** Starts a capture server; `reply` picks status and body for each request (after its body is read). */
export async function startCaptureServer(
  reply: (req: CapturedRequest) => { status: number; body: string; headers?: Record<string, string> },
): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const captured = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(captured);
      const { status, body, headers } = reply(captured);
      res.writeHead(status, {
        "content-type": "text/plain",
        "content-length": Buffer.byteLength(body),
        ...headers,
      });
      res.end(body);
    });
  });
  // undici closes sockets whose advertised keep-alive is within its 2 s threshold: advertise more.
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
