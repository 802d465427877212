// @switchyard/cache with core: a response with max-age is fetched once and the second call is a
// hit from the disk store, without a request; only-if-cached on an unknown URL fails with the typed error.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cache, isCacheMissError } from "@switchyard/cache";
import { cacheStatusKey, createClient } from "@switchyard/core";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res) => {
  res.writeHead(200, { "cache-control": "max-age=60", "content-type": "text/plain" });
  res.end("cached body");
});
const dir = mkdtempSync(join(tmpdir(), "pick-and-mix-cache-"));
const cached = cache({ dir });
const client = createClient({ middleware: [cached] });
try {
  const first = await client.request(`${server.origin}/data.txt`);
  check((await first.text()) === "cached body", "first body");
  check(first.context.get(cacheStatusKey) === "miss", `first ${first.context.get(cacheStatusKey)}`);
  await cached.idle();
  const second = await client.request(`${server.origin}/data.txt`);
  check((await second.text()) === "cached body", "second body");
  check(second.context.get(cacheStatusKey) === "hit", `second ${second.context.get(cacheStatusKey)}`);
  check(server.requests.length === 1, `${server.requests.length} requests reached the server`);
  const missing = await client.request(`${server.origin}/other`, { cache: "only-if-cached" }).then(
    () => undefined,
    (error) => error,
  );
  check(isCacheMissError(missing), `typed error, got ${missing}`);
} finally {
  await client.close();
  await cached.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log("cache: the second call was a hit from disk; only-if-cached failed with CacheMissError");
