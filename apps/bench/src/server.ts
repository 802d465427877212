// The benchmark's origin runs in its own process so its CPU is not counted as the client's.
// `GET /bytes/<n>` answers n bytes (the throughput benchmark's body sizes); any other path 2 bytes.
import http from "node:http";

const small = Buffer.from("ok");
const bodies = new Map<number, Buffer>();
// Bodies are built once per size and reused: the origin must cost as little as possible per request.
function bodyFor(url: string | undefined): Buffer {
  const match = /^\/bytes\/(\d{1,9})$/.exec(url ?? "");
  if (!match) return small;
  const size = Number(match[1]);
  let body = bodies.get(size);
  if (body === undefined) {
    body = Buffer.alloc(size, 0x61);
    bodies.set(size, body);
  }
  return body;
}

const server = http.createServer((req, res) => {
  const body = bodyFor(req.url);
  res.writeHead(200, { "content-type": "text/plain", "content-length": String(body.length) });
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
