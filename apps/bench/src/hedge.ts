// Hedging on a 2 % slow tail: the same requests with and without `hedge()`, against an origin in
// its own process where 2 % of requests wait 100 ms. Reports p50/p90/p99/p99.9 per client and the
// extra requests the hedging client caused (counted by the origin, aborted losers included).
// Target (DESIGN): p99 cut by at least half for at most 5 % extra requests.
//   node src/hedge.ts [requests per client] [concurrency]     (about 20 s with the defaults)
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createClient } from "@switchyard/core";
import { hedge } from "@switchyard/hedge";

const requests = Number(process.argv[2] ?? 4000);
const concurrency = Number(process.argv[3] ?? 8);
const warmup = 200;

async function startTailServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./tail-server.ts", import.meta.url)), {
    stdio: "ignore",
    serialization: "json",
  });
  const [port] = (await once(child, "message")) as [number];
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
    },
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function run(name: string, origin: string, withHedge: boolean) {
  const hedging = withHedge ? hedge() : undefined;
  const client = createClient({ connections: 32, middleware: hedging ? [hedging] : [] });
  const count = async () => Number(await (await client.request(`${origin}/__count`)).text());
  const call = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await client.request(`${origin}/x`);
    await res.text();
    return performance.now() - t0;
  };
  try {
    for (let i = 0; i < warmup; i++) await call();
    const before = await count();
    const latencies: number[] = [];
    let started = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started < requests) {
          started++;
          latencies.push(await call());
        }
      }),
    );
    const sent = (await count()) - before;
    latencies.sort((a, b) => a - b);
    return {
      client: name,
      p50: quantile(latencies, 0.5),
      p90: quantile(latencies, 0.9),
      p99: quantile(latencies, 0.99),
      "p99.9": quantile(latencies, 0.999),
      "requests sent": sent,
      extra: (sent - requests) / requests,
      snapshot: hedging?.snapshot()[0],
    };
  } finally {
    await client.close();
  }
}

const server = await startTailServer();
try {
  const base = await run("core", server.url, false);
  const hedged = await run("core + hedge()", server.url, true);
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  console.table(
    [base, hedged].map((r) => ({
      client: r.client,
      p50: ms(r.p50),
      p90: ms(r.p90),
      p99: ms(r.p99),
      "p99.9": ms(r["p99.9"]),
      "requests sent": r["requests sent"],
      extra: `${(r.extra * 100).toFixed(2)} %`,
    })),
  );
  if (hedged.snapshot) {
    const s = hedged.snapshot;
    console.log(
      `hedge: delay ${s.delayMs?.toFixed(2)} ms (live p95), ${s.hedges} hedges, ${s.hedgeWins} won, ${s.skipped} skipped`,
    );
  }
  const cut = base.p99 / hedged.p99;
  console.log(
    `p99 cut ${cut.toFixed(1)}x (target >= 2x), extra requests ${(hedged.extra * 100).toFixed(2)} % (target <= 5 %): ${
      cut >= 2 && hedged.extra <= 0.05 ? "met" : "NOT met"
    }`,
  );
} finally {
  await server.close();
}
