// A worker process of the multi-process tests: one client with retry on a shared state store
// (argv: "sqlite" <path> | "redis" <url>). Messages: {probe} answers the budget's tokens as this
// process sees them; {request: url, times} sends `times` requests one after another and answers
// their statuses; {close} ends the process.
import { createClient, type StateStore } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { sqliteStore } from "@switchyard/sqlite-store";
import { retry } from "../src/retry.ts";

const [kind, where] = process.argv.slice(2) as [string, string];
const stateStore: StateStore =
  kind === "redis"
    ? redisStore({ url: where, commandTimeoutMs: 2000 })
    : sqliteStore({ path: where, busyTimeoutMs: 2000 });
// Backoff 0: the test counts retries, it does not wait for them.
const middleware = retry({
  stateStore,
  stateStoreTimeoutMs: 2000,
  budget: { capacity: 50, retryCost: 5 },
  maxRetries: 100,
  minDelay: 0,
  maxDelay: 0,
});
const client = createClient({ middleware: [middleware] });

process.on("message", (message: { probe?: true; request?: string; times?: number; close?: true }) => {
  if (message.probe) process.send?.({ available: middleware.budget?.available });
  else if (message.request !== undefined) {
    const url = message.request;
    void (async () => {
      const statuses: number[] = [];
      for (let i = 0; i < (message.times ?? 1); i++) {
        const res = await client.request(url);
        await res.discard();
        statuses.push(res.status);
      }
      return statuses;
    })().then(
      (statuses) => process.send?.({ statuses }),
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
