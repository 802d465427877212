// The cache benchmark's origin, in its own process so its CPU is not counted as the client's.
// /fresh/<n>: n bytes, fresh for an hour; /etag/<n>: n bytes, always stale, 304 to If-None-Match;
// /nostore/<n>: n bytes, Cache-Control: no-store.
import http from "node:http";

const bodies = new Map<number, Buffer>();
const bodyOf = (n: number): Buffer => {
  let body = bodies.get(n);
  if (body === undefined) {
    body = Buffer.alloc(n, 120);
    bodies.set(n, body);
  }
  return body;
};

const server = http.createServer((req, res) => {
  const [, kind, size] = (req.url ?? "").split("/");
  const body = bodyOf(Math.min(Number(size) || 2, 1 << 20));
  const headers: Record<string, string> = { "content-type": "application/octet-stream", etag: '"v1"' };
  if (kind === "fresh") headers["cache-control"] = "max-age=3600";
  else if (kind === "etag") headers["cache-control"] = "max-age=0";
  else headers["cache-control"] = "no-store";
  if (kind === "etag" && req.headers["if-none-match"] === '"v1"') {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers["content-length"] = String(body.length);
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.(typeof address === "object" && address ? address.port : 0);
});
process.on("disconnect", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
