// The benchmark's origin runs in its own process so its CPU is not counted as the client's.
import http from "node:http";

const body = Buffer.from("ok");
const server = http.createServer((_req, res) => {
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
