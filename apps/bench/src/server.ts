// The benchmark's origin runs in its own process so its CPU is not counted as the client's.
import http from "node:http";

const body: Buffer = Buffer.from("ok");
// `/size/<bytes>` answers that many bytes (fetch-sizes.ts); every other path the 2-byte body.
const sized = new Map<number, Buffer>();
const server = http.createServer((req, res) => {
  const size = req.url?.startsWith("/size/") ? Number(req.url.slice(6)) : Number.NaN;
  let out = body;
  if (Number.isInteger(size) && size >= 0 && size <= 64 * 1024 * 1024) {
    out = sized.get(size) ?? Buffer.alloc(size, 0x61);
    sized.set(size, out);
  }
  res.writeHead(200, { "content-type": "text/plain", "content-length": String(out.length) });
  res.end(out);
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
