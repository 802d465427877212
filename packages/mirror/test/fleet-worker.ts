// A worker process of the multi-process tests: one client with mirror on a shared state store.
// argv: "sqlite" <path> | "redis" <url>, then the dead mirror's URL, the good mirror's URL and the
// cool-down in ms. Messages: {probe} answers the dead mirror's availability as this process sees
// it; {request: url} sends one request and answers its body; {close} ends the process.
import { createClient, type StateStore } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { sqliteStore } from "@switchyard/sqlite-store";
import { mirror } from "../src/mirror.ts";

const [kind, where, dead, good, cooldown] = process.argv.slice(2) as [string, string, string, string, string];
const stateStore: StateStore =
  kind === "redis"
    ? redisStore({ url: where, commandTimeoutMs: 2000 })
    : sqliteStore({ path: where, busyTimeoutMs: 2000 });
const middleware = mirror({
  mirrors: { "https://origin.example/files": [dead, good] },
  maxFailures: 1,
  cooldownMs: Number(cooldown),
  delay: () => 0,
  stateStore,
  stateStoreTimeoutMs: 2000,
});
const client = createClient({ middleware: [middleware] });

process.on("message", (message: { probe?: true; request?: string; close?: true }) => {
  if (message.probe) {
    process.send?.({ availability: middleware.snapshot()[0]?.mirrors[0]?.availability });
  } else if (message.request !== undefined) {
    client.request(message.request).then(
      async (res) => process.send?.({ body: await res.text() }),
      (error: unknown) => process.send?.({ error: String(error) }),
    );
  } else if (message.close) {
    void client
      .close()
      .then(() => stateStore.close())
      .finally(() => process.disconnect());
  }
});
// Ready once this process hears the store's notifications (a Redis subscriber connects in the
// background, and a change published before it has is not delivered): write a key of its own until
// its change comes back, at most 100 times.
void (async () => {
  const key = `test:ready:${process.pid}`;
  let heard = false;
  const stop = stateStore.subscribe(key, () => {
    heard = true;
  });
  for (let i = 0; i < 100 && !heard; i++) {
    await stateStore.set(key, "1", 60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  stop();
  process.send?.({ ready: heard });
})();
