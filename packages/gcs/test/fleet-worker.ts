// A worker process of the multi-process tests: one client with gcs on a shared state store (SQLite
// file or redis-server) reads one object when told to and reports the text it got.
// argv[2]: JSON { store: { kind: "sqlite", path } | { kind: "redis", url }, endpoint, key, sealKey }.
import { createClient, type StateStore } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { sqliteStore } from "@switchyard/sqlite-store";
import { gcs } from "../src/gcs.ts";
import { type ServiceAccountKey, serviceAccount } from "../src/index.ts";

interface Spec {
  readonly store: { kind: "sqlite"; path: string } | { kind: "redis"; url: string };
  readonly endpoint: string;
  readonly key: ServiceAccountKey;
  readonly sealKey: string;
}

const spec = JSON.parse(process.argv[2] as string) as Spec;
const stateStore: StateStore =
  spec.store.kind === "sqlite"
    ? sqliteStore({ path: spec.store.path, busyTimeoutMs: 2000, pollMs: 20 })
    : redisStore({ url: spec.store.url, commandTimeoutMs: 2000 });
const client = createClient({
  middleware: [
    gcs({
      auth: serviceAccount(spec.key),
      endpoint: spec.endpoint,
      stateStore,
      sealKey: spec.sealKey,
      stateStoreTimeoutMs: 2000,
    }),
  ],
});

process.on("message", (message: { get?: string; close?: true }) => {
  if (message.get !== undefined) {
    client.request(message.get).then(
      async (res) => process.send?.({ text: await res.text() }),
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
