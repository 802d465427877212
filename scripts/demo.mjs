// `npm run demo`. Runs apps/demo's `start` script once that app exists. Until then: a client built
// from @switchyard/core and one middleware fetches from a local server this script starts on
// 127.0.0.1, and the script checks that the middleware's header reached the server.
// Run through scripts/bootstrap.mjs, which picks the Node and installs the dependencies.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function demoApp() {
  const manifest = join(root, "apps", "demo", "package.json");
  if (!existsSync(manifest)) return false;
  return typeof JSON.parse(readFileSync(manifest, "utf8")).scripts?.start === "string";
}

if (demoApp()) {
  const pnpm = process.env.SWITCHYARD_PNPM;
  const args = ["--dir", join(root, "apps", "demo"), "run", "start", ...process.argv.slice(2)];
  const r = pnpm
    ? spawnSync(process.execPath, [pnpm, ...args], { stdio: "inherit" })
    : spawnSync("pnpm", args, { stdio: "inherit" });
  process.exit(r.error ? 1 : (r.status ?? 1));
}

const coreEntry = join(root, "packages", "core", "src", "index.ts");
if (!existsSync(coreEntry)) {
  console.error(`demo: ${coreEntry} is missing; @switchyard/core has not landed in this checkout yet`);
  process.exit(1);
}
// In the repository a package's exports point at its TypeScript sources, which Node runs directly.
const { createClient } = await import(pathToFileURL(coreEntry).href);

// The local server: echoes what it received, so the demo can show what the middleware did.
const server = createServer((req, res) => {
  const body = JSON.stringify({ method: req.method, path: req.url, headers: req.headers });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
});
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(0, "127.0.0.1", resolve);
});
const base = `http://127.0.0.1:${server.address().port}`;

/** One middleware: stamps a header on every request and reports how each call went. */
const stamp = {
  name: "demo-stamp",
  stage: "authorize",
  async handle(request, next) {
    const started = performance.now();
    const response = await next(
      request.with({ headers: { "x-switchyard-demo": "stamped by a middleware" } }),
    );
    const ms = (performance.now() - started).toFixed(1);
    console.log(`  [demo-stamp] ${request.method} ${request.url} -> ${response.status} in ${ms} ms`);
    return response;
  },
};

const client = createClient({ middleware: [stamp] });
let failed = false;
try {
  console.log(
    `Switchyard demo on Node ${process.version}: a core client with one middleware, a server at ${base}`,
  );

  const res = await client.request(`${base}/hello`);
  const seen = await res.json();
  console.log(
    `client.request -> ${res.status}; the server saw x-switchyard-demo: ${seen.headers["x-switchyard-demo"]}`,
  );
  if (res.status !== 200 || seen.headers["x-switchyard-demo"] !== "stamped by a middleware") failed = true;

  if (typeof client.fetch === "function") {
    // The same chain behind a standard fetch, for SDKs that take a custom `fetch`.
    const webRes = await client.fetch(`${base}/via-fetch`);
    const viaFetch = await webRes.json();
    console.log(
      `client.fetch   -> ${webRes.status}; path ${viaFetch.path}, header ${viaFetch.headers["x-switchyard-demo"]}`,
    );
    if (webRes.status !== 200 || viaFetch.headers["x-switchyard-demo"] !== "stamped by a middleware")
      failed = true;
  }
} catch (error) {
  console.error("demo failed:", error);
  failed = true;
} finally {
  await client.close();
  server.close();
}
console.log(failed ? "demo: FAILED" : "demo: OK");
process.exitCode = failed ? 1 : 0;
