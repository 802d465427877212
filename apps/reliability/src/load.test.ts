// Load: 10,000 requests at concurrency 256 through all seven plugins against a server that fails
// 10 % of them. All settle within a time bound, the heap is flat (after GC, against a warm-up run),
// and retry's budget is honoured: no retry without a token, and a storm stops at the bucket's size.
import diagnosticsChannel from "node:diagnostics_channel";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { auth, memoryStore } from "@switchyard/auth";
import { attemptKey, type Client, createClient, isSwitchyardError } from "@switchyard/core";
import { gcs, staticToken } from "@switchyard/gcs";
import { mirror } from "@switchyard/mirror";
import { oci } from "@switchyard/oci";
import { RetryBudget, retry } from "@switchyard/retry";
import { retryAfter } from "@switchyard/retry-after";
import { s3 } from "@switchyard/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bounded } from "./harness/guard.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A RetryBudget that counts what it granted, refused and refilled. */
class CountingBudget extends RetryBudget {
  granted = 0;
  refused = 0;
  spent = 0;
  lowest = Number.POSITIVE_INFINITY;
  override acquire(afterTimeout: boolean): number | undefined {
    const cost = super.acquire(afterTimeout);
    if (cost === undefined) this.refused++;
    else {
      this.granted++;
      this.spent += cost;
    }
    this.lowest = Math.min(this.lowest, this.available);
    return cost;
  }
}

/** A plain origin (counters only, nothing recorded): every `failEvery`-th request answers 503. */
async function startFlakyServer(): Promise<{
  url: string;
  setFailEvery(n: number): void;
  readonly served: number;
  readonly failed: number;
  close(): Promise<void>;
}> {
  let failEvery = 10;
  let served = 0;
  let failed = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    served++;
    if (failEvery > 0 && served % failEvery === 0) {
      failed++;
      res.writeHead(503, { "content-type": "text/plain", "content-length": "4" });
      res.end("busy");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
    res.end("ok");
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setFailEvery: (n) => {
      failEvery = n;
    },
    get served() {
      return served;
    },
    get failed() {
      return failed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const CONCURRENCY = 256;

/** Runs `count` GETs with `CONCURRENCY` in flight; returns how they settled. */
async function load(client: Client, base: string, count: number) {
  let next = 0;
  let ok = 0;
  let failedStatus = 0;
  let typedErrors = 0;
  let otherErrors = 0;
  let attempts = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        try {
          // Distinct paths: auth's miss cache and the mirror's rewrite see a new URL every time.
          const res = await client.request(`${base}/m/file-${i}`);
          await res.text();
          attempts += res.context.get(attemptKey) ?? 1;
          if (res.status === 200) ok++;
          else failedStatus++;
        } catch (error) {
          if (isSwitchyardError(error)) typedErrors++;
          else otherErrors++;
        }
      }
    }),
  );
  return {
    settled: ok + failedStatus + typedErrors + otherErrors,
    ok,
    failedStatus,
    typedErrors,
    otherErrors,
    attempts,
  };
}

describe("load through all seven plugins", () => {
  let server: Awaited<ReturnType<typeof startFlakyServer>>;
  let client: Client;
  let budget: CountingBudget;
  let retries = 0;
  let mirrorAttempts = 0;
  const onRetry = () => {
    retries++;
  };
  const onSelected = () => {
    mirrorAttempts++;
  };

  beforeAll(async () => {
    server = await startFlakyServer();
    budget = new CountingBudget();
    const base = server.url;
    client = createClient({
      connections: 64,
      middleware: [
        retry({ minDelay: 1, maxDelay: 5, budget }),
        retryAfter(),
        auth({
          stores: [
            memoryStore({
              "other.example.com": { kind: "bearer", token: "load-token-other-host" },
              [new URL(base).host]: { kind: "bearer", token: "load-token", allowInsecureHttp: true },
            }),
          ],
        }),
        // Two mirror paths on the same loopback origin: GETs under /m are served by /a or /b.
        mirror({ mirrors: { [`${base}/m`]: [`${base}/a`, `${base}/b`] }, delay: () => 1 }),
        oci(),
        s3({
          endpoint: "http://127.0.0.1:9",
          credentials: { accessKeyId: "AKIDLOAD", secretAccessKey: "load-s3" },
        }),
        gcs({ endpoint: "http://127.0.0.1:9", auth: staticToken("load-gcs-token") }),
      ],
    });
    diagnosticsChannel.subscribe("switchyard:retry:retry", onRetry);
    diagnosticsChannel.subscribe("switchyard:mirror:selected", onSelected);
  });

  afterAll(async () => {
    diagnosticsChannel.unsubscribe("switchyard:retry:retry", onRetry);
    diagnosticsChannel.unsubscribe("switchyard:mirror:selected", onSelected);
    await client.close();
    await server.close();
  });

  it("settles 10,000 requests at concurrency 256 with 10 % failing, heap flat", async () => {
    // Warm-up: JIT, sockets, and every bounded cache filled to its bound.
    await bounded(load(client, server.url, 2000), 60_000, "warm-up load");
    const before = heapAfterGc();
    const retriesBefore = retries;
    const mirrorAttemptsBefore = mirrorAttempts;
    const servedBefore = server.served;
    const started = performance.now();
    const result = await bounded(load(client, server.url, 10_000), 60_000, "10,000 requests");
    const seconds = (performance.now() - started) / 1000;
    const after = heapAfterGc();

    expect(result.settled).toBe(10_000);
    expect(result.otherErrors).toBe(0);
    // One in ten answers fails and is retried on another answer: nearly every call succeeds.
    expect(result.ok).toBeGreaterThanOrEqual(9_900);
    // Every retry is one more attempt of the call; each attempt tries one mirror, or fails over to
    // the other within the attempt; every mirror attempt is one request the server answered.
    expect(retries - retriesBefore).toBe(result.attempts - 10_000);
    expect(server.served - servedBefore).toBe(mirrorAttempts - mirrorAttemptsBefore);
    expect(mirrorAttempts - mirrorAttemptsBefore).toBeGreaterThanOrEqual(result.attempts);
    // Flat: 10,000 more requests leave the heap within 8 MiB of where the warm-up left it.
    expect(after - before).toBeLessThan(8 * 1024 * 1024);
    console.log(
      `load: 10,000 requests in ${seconds.toFixed(1)} s, ${result.ok} ok, ${retries - retriesBefore} retries, ` +
        `heap ${((after - before) / 1024 / 1024).toFixed(2)} MiB after vs before, budget ${budget.available}/${budget.capacity}`,
    );
  }, 120_000);

  it("honours the retry budget: no retry without a token, a failure storm stops at the bucket", async () => {
    // Every retry event matches a token granted by the budget, and tokens never went negative.
    expect(retries).toBe(budget.granted);
    expect(budget.lowest).toBeGreaterThanOrEqual(0);

    // Now every answer fails. With at most `available` tokens left and no success to refill them,
    // at most available / retryCost retries can be made, however many calls fail.
    server.setFailEvery(1);
    const tokens = budget.available;
    const grantedBefore = budget.granted;
    const result = await bounded(load(client, server.url, 2000), 60_000, "failure storm");
    server.setFailEvery(10);
    expect(result.settled).toBe(2000);
    expect(result.ok).toBe(0);
    const stormRetries = budget.granted - grantedBefore;
    expect(stormRetries).toBeLessThanOrEqual(Math.floor(tokens / budget.retryCost));
    expect(budget.refused).toBeGreaterThan(0);
    expect(budget.available).toBeLessThan(budget.retryCost);
    expect(retries).toBe(budget.granted);
  }, 120_000);
});
