// One worker process of `demo fleet`: one client with retry-after, mirror and oci, on the store
// the run chose (none: per-process state), doing the same workload as every other worker.
import { type Credential, createClient, type StateStore } from "@switchyard/core";
import { mirror } from "@switchyard/mirror";
import { oci } from "@switchyard/oci";
import { redisStore } from "@switchyard/redis-store";
import { retryAfter } from "@switchyard/retry-after";
import { sqliteStore } from "@switchyard/sqlite-store";
import type { WorkerPlan } from "./worker-plan.ts";

const plan = JSON.parse(process.argv[2] as string) as WorkerPlan;

function openStore(): StateStore | undefined {
  if (plan.store.kind === "sqlite") return sqliteStore({ path: plan.store.path, busyTimeoutMs: 1000 });
  if (plan.store.kind === "redis") return redisStore({ url: plan.store.url });
  return undefined;
}

const stateStore = openStore();
// The demo allows each store operation a second (the plugins' default is 50 ms): it runs on busy,
// shared CI machines, where a worker's event loop may stall longer than a LAN round trip.
const shared = stateStore === undefined ? {} : { stateStore, stateStoreTimeoutMs: 1000 };
const credential: Credential | undefined = plan.registry && {
  kind: "basic",
  username: plan.registry.user,
  password: plan.registry.password,
  allowInsecureHttp: true,
};
const client = createClient({
  middleware: [
    retryAfter({ ...shared }),
    mirror({
      mirrors: { [plan.mirrorPrefix]: plan.mirrors },
      maxFailures: 1,
      cooldownMs: 60_000,
      delay: () => 0,
      ...shared,
    }),
    oci({
      insecureRegistries: plan.registry ? [plan.registry.host] : [],
      credentials: { name: "fleet", get: async () => credential },
      ...(stateStore === undefined ? {} : { ...shared, sealKey: plan.sealKey }),
    }),
  ],
});

async function body(url: string): Promise<void> {
  const res = await client.request(url, { headers: { "x-fleet-sent": String(Date.now()) } });
  await res.discard();
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

process.once("message", () => {
  void (async () => {
    let requests = 0;
    let failed = 0;
    const until = Date.now() + plan.durationMs;
    const pulls = plan.registry
      ? client.request(plan.registry.artifact).then((res) => res.text())
      : Promise.resolve("");
    for (let i = 0; Date.now() < until; i++) {
      for (const url of [plan.rateLimitedUrl, `${plan.mirrorPrefix}/file-${i}`]) {
        try {
          await body(url);
        } catch {
          failed++;
        }
        requests++;
      }
      await pause(plan.pauseMs);
    }
    const pulled = await pulls.catch((error: unknown) => `error: ${String(error)}`);
    await client.close();
    await stateStore?.close();
    process.send?.({ requests, failed, pulled });
    process.disconnect();
  })();
});
// Connect (and load scripts) before reporting ready, as a service does at start-up: the first
// round trip on a new connection is not what the run measures.
void (stateStore?.get("fleet:warm-up") ?? Promise.resolve()).then(
  () => process.send?.({ ready: true }),
  () => process.send?.({ ready: true }),
);
