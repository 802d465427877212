// @switchyard/redis-store with core: against a redis-server this script starts on 127.0.0.1 (the
// Debian test peer; skipped with a message when it is not installed), a counter, a lease and a
// change notification between two stores.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { redisStore } from "@switchyard/redis-store";
import { check, watchdog } from "./serve.mjs";

watchdog();
if (!existsSync("/usr/bin/redis-server")) {
  console.log("redis-store: skipped, redis-server is not installed (Debian package redis-server)");
  process.exit(0);
}
const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const server = spawn(
  "/usr/bin/redis-server",
  ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
  {
    stdio: "ignore",
  },
);
const url = `redis://127.0.0.1:${port}`;
const a = redisStore({ url, prefix: "pm:" });
const b = redisStore({ url, prefix: "pm:" });
try {
  for (let i = 0; i < 100; i++) {
    if (
      await a.get("warm").then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seen = [];
  b.subscribe("demo:", (change) => seen.push(change));
  await new Promise((r) => setTimeout(r, 100));
  check(
    (await a.increment("demo:n", 2, 60_000)) === 2 && (await b.increment("demo:n", 3, 60_000)) === 5,
    "counter",
  );
  const lease = await a.acquireLease("demo:l", 60_000);
  check(lease !== undefined && (await b.acquireLease("demo:l", 60_000)) === undefined, "lease exclusive");
  for (let i = 0; i < 200 && !seen.some((c) => c.key === "demo:n"); i++)
    await new Promise((r) => setTimeout(r, 10));
  check(
    seen.some((c) => c.key === "demo:n" && c.kind === "set"),
    `changes ${JSON.stringify(seen)}`,
  );
} finally {
  await a.close();
  await b.close();
  server.kill("SIGTERM");
}
console.log("redis-store: two stores shared a counter, a lease and a change notification");
