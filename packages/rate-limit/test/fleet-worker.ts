// A worker process of the multi-process tests: one client with a rate limit on a shared state
// store (SQLite file or redis-server). {send: url, times} sends that many requests one after
// another and answers their statuses (or error codes).
// argv[2]: JSON { store: { kind: "sqlite", path } | { kind: "redis", url }, origin, limit, now }.
import { createClient, type StateStore } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { sqliteStore } from "@switchyard/sqlite-store";
import { rateLimit } from "../src/index.ts";

interface Spec {
  readonly store: { kind: "sqlite"; path: string } | { kind: "redis"; url: string };
  readonly origin: string;
  readonly limit: number;
  /** A fixed clock for every process: one window for the whole test, whatever the wall clock. */
  readonly now: number;
}

const spec = JSON.parse(process.argv[2] as string) as Spec;
const stateStore: StateStore =
  spec.store.kind === "sqlite"
    ? sqliteStore({ path: spec.store.path, busyTimeoutMs: 2000, pollMs: 20 })
    : redisStore({ url: spec.store.url, commandTimeoutMs: 2000 });
// A window of a minute and a maxWait of a second: a request over the fleet's limit fails at once
// with the typed error instead of waiting for the next window.
const middleware = rateLimit({
  stateStore,
  storeTimeoutMs: 2000,
  hosts: { [spec.origin]: { fleet: { limit: spec.limit, windowMs: 60_000 } } },
  maxWait: 1000,
  now: () => spec.now,
});
const client = createClient({ middleware: [middleware] });

async function send(url: string): Promise<number | string> {
  try {
    const res = await client.request(url);
    await res.discard();
    return res.status;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

process.on("message", (message: { send?: string; times?: number; close?: true }) => {
  if (message.send !== undefined) {
    const url = message.send;
    void (async () => {
      const statuses: Array<number | string> = [];
      for (let i = 0; i < (message.times ?? 1); i++) statuses.push(await send(url));
      process.send?.({ statuses });
    })();
  } else if (message.close) {
    middleware.close();
    void client
      .close()
      .then(() => stateStore.close())
      .finally(() => process.disconnect());
  }
});
process.send?.({ ready: true });
