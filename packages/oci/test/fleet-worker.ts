// A worker process of the multi-process test: one client with oci on a shared SQLite store pulls
// one artifact when told to, with alice's credentials, and reports the bytes it got.
import { createClient } from "@switchyard/core";
import { sqliteStore } from "@switchyard/sqlite-store";
import { oci } from "../src/oci.ts";
import { memoryStore } from "./helpers.ts";

const [path, host, password, sealKey] = process.argv.slice(2) as [string, string, string, string];
const stateStore = sqliteStore({ path, busyTimeoutMs: 2000 });
const credentials = memoryStore({
  [`http://${host}/`]: { kind: "basic", username: "alice", password, allowInsecureHttp: true },
});
const client = createClient({
  middleware: [
    oci({ insecureRegistries: [host], credentials, stateStore, sealKey, stateStoreTimeoutMs: 2000 }),
  ],
});

process.on("message", (message: { pull?: string; close?: true }) => {
  if (message.pull !== undefined) {
    client.request(message.pull).then(
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
