// Shared by the pick-and-mix usage scripts, copied next to them into each temporary project.
// Node built-ins only: the project has nothing installed but the tarballs under test.
import { createServer } from "node:http";

/** Starts a node:http server on 127.0.0.1:0; records every request (method, url, headers). */
export async function serve(handler) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    req.on("end", () => handler(req, res, requests.length));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve).closeAllConnections()),
  };
}

/** Throws with `message` unless `condition` holds. */
export function check(condition, message) {
  if (!condition) throw new Error(`pick-and-mix usage check failed: ${message}`);
}

/** Fails the process if the script is still running after `ms` (every loop here is bounded). */
export function watchdog(ms = 20_000) {
  setTimeout(() => {
    console.error(`pick-and-mix usage script still running after ${ms} ms`);
    process.exit(1);
  }, ms).unref();
}
