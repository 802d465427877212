// A worker process of the multi-process tests: one client with auth + oauthStore on a shared state
// store (SQLite file or redis-server). Its refresh callback asks the test's token endpoint; each
// {get: url} sends one request and answers its status.
// argv[2]: JSON { store: { kind: "sqlite", path } | { kind: "redis", url }, origin, sealKey }.
import { createClient, type StateStore } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { sqliteStore } from "@switchyard/sqlite-store";
import { auth } from "../src/auth.ts";
import { oauthStore } from "../src/stores/oauth-store.ts";

interface Spec {
  readonly store: { kind: "sqlite"; path: string } | { kind: "redis"; url: string };
  readonly origin: string;
  readonly sealKey: string;
}

const spec = JSON.parse(process.argv[2] as string) as Spec;
const stateStore: StateStore =
  spec.store.kind === "sqlite"
    ? sqliteStore({ path: spec.store.path, busyTimeoutMs: 2000, pollMs: 20 })
    : redisStore({ url: spec.store.url, commandTimeoutMs: 2000 });
const tokens = oauthStore(
  {
    [`${spec.origin}/api/`]: {
      allowInsecureHttp: true,
      refresh: async () => {
        const res = await fetch(`${spec.origin}/token`, { method: "POST" });
        const body = (await res.json()) as { access_token: string; expires_in: number };
        return { token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
      },
    },
  },
  { stateStore, sealKey: spec.sealKey, stateStoreTimeoutMs: 2000 },
);
const client = createClient({ middleware: [auth({ stores: [tokens] })] });

process.on("message", (message: { get?: string; close?: true }) => {
  if (message.get !== undefined) {
    client.request(message.get).then(
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
