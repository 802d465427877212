// A worker process of the multi-process test: one client with retryAfter on a shared SQLite store.
// Messages: {probe} answers whether this process already knows a deadline; {request: url} sends one
// request and answers its status.
import { createClient } from "@switchyard/core";
import { sqliteStore } from "@switchyard/sqlite-store";
import { retryAfter } from "../src/retry-after.ts";

const [path] = process.argv.slice(2);
const stateStore = sqliteStore({ path: path as string, busyTimeoutMs: 2000 });
const middleware = retryAfter({ stateStore, stateStoreTimeoutMs: 2000 });
const client = createClient({ middleware: [middleware] });

process.on("message", (message: { probe?: true; request?: string; close?: true }) => {
  if (message.probe) process.send?.({ knows: middleware.store.size > 0 });
  else if (message.request !== undefined) {
    client.request(message.request).then(
      async (res) => {
        await res.discard();
        process.send?.({ status: res.status });
      },
      (error: unknown) => process.send?.({ error: String(error) }),
    );
  } else if (message.close) {
    void client
      .close()
      .then(() => stateStore.close())
      .finally(() => process.disconnect());
  }
});
process.send?.({ ready: true });
