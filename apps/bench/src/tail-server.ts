// The hedging benchmark's origin, in its own process: answers at once, except a fraction
// (`SLOW_FRACTION`, default 2 %) of requests that wait `SLOW_MS` (default 100 ms) before the
// headers: a slow tail such as a GC pause or a cold cache gives. GET /__count answers how many
// requests arrived (aborted ones included), the independent count of extra requests.
import http from "node:http";

const fraction = Number(process.env.SLOW_FRACTION ?? 0.02);
const slowMs = Number(process.env.SLOW_MS ?? 100);
const body = Buffer.from("ok");
let count = 0;
const server = http.createServer((req, res) => {
  if (req.url === "/__count") {
    res.end(String(count));
    return;
  }
  count++;
  const answer = (): void => {
    if (res.destroyed) return;
    res.writeHead(200, { "content-type": "text/plain", "content-length": String(body.length) });
    res.end(body);
  };
  if (Math.random() < fraction) setTimeout(answer, slowMs);
  else answer();
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
