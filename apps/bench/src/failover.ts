import net from "node:net";
import { createClient } from "@switchyard/core";
import { mirror, mirrorRouteKey } from "@switchyard/mirror";
import { median } from "./measure.ts";
import { startOrigin } from "./origin.ts";

/** Latency figures of the mirror failover benchmark, milliseconds. */
export interface FailoverReport {
  /** Sequential requests per client after the first. */
  readonly requests: number;
  /** The first request of a fresh pool: the dead primary is tried, refused, then the mirror. */
  readonly coldFirstMs: number;
  /** Median of requests 2..n once the pool has learnt (the mirror goes first). */
  readonly learntMedianMs: number;
  readonly learntP99Ms: number;
  /** A fresh pool hit by a burst of `burst` concurrent requests before it learnt anything. */
  readonly burst: number;
  readonly coldBurstMedianMs: number;
  readonly coldBurstMaxMs: number;
  /**
   * After the burst the dead primary is past its failure limit (cooling); once the cool-down has
   * passed (clock moved on 31 s) one request probes it again and pays the failover...
   */
  readonly probeMs: number;
  /** ... and the requests after that skip it again (median of 20). */
  readonly afterProbeMs: number;
  /** The healthy mirror configured alone. */
  readonly aloneMedianMs: number;
  readonly aloneP99Ms: number;
  /** learntMedianMs / aloneMedianMs. */
  readonly learntVsAlone: number;
  /** Which mirror served the learnt requests (all should be the healthy one). */
  readonly servedByHealthy: number;
}

function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

/** A port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const PREFIX = "http://pkgs.bench.invalid/pkgs";

/**
 * Mirror failover with a dead primary (a closed port) and a healthy mirror (the benchmark origin in
 * its own process), against the healthy mirror alone: per-request latency before the pool learns,
 * once it has, in a cold burst, and for the probe after the cool-down. Default mirror options
 * (failover delay 50 ms, 3 failures, 30 s cool-down), with an injected clock for the cool-down.
 */
export async function runFailover(requests: number, burst: number): Promise<FailoverReport> {
  const origin = await startOrigin();
  const dead = `http://127.0.0.1:${await deadPort()}/pkgs`;
  const healthy = `${origin.url}pkgs`;
  let offset = 0;
  const now = () => Date.now() + offset;
  const failover = () =>
    createClient({ connections: 16, middleware: [mirror({ mirrors: { [PREFIX]: [dead, healthy] }, now })] });
  const alone = createClient({ connections: 16, middleware: [mirror({ mirrors: { [PREFIX]: [healthy] } })] });
  const timed = async (client: ReturnType<typeof createClient>, i: number): Promise<[number, string]> => {
    const t0 = performance.now();
    const res = await client.request(`${PREFIX}/file-${i}`);
    await res.discard();
    return [performance.now() - t0, res.context.get(mirrorRouteKey)?.servedBy ?? ""];
  };
  const learnt = failover();
  const cold = failover();
  try {
    for (let i = 0; i < 20; i++) await timed(alone, i); // warm-up (JIT, socket)
    const [coldFirstMs] = await timed(learnt, 0);
    const learntMs: number[] = [];
    let servedByHealthy = 0;
    for (let i = 1; i <= requests; i++) {
      const [ms, servedBy] = await timed(learnt, i);
      learntMs.push(ms);
      if (servedBy === healthy) servedByHealthy++;
    }
    const aloneMs: number[] = [];
    for (let i = 0; i < requests; i++) aloneMs.push((await timed(alone, i))[0]);
    const burstMs = (await Promise.all(Array.from({ length: burst }, (_, i) => timed(cold, i)))).map(
      ([ms]) => ms,
    );
    offset += 31_000; // past the 30 s cool-down, before the 60 s decay: one probe goes to the dead primary
    const [probeMs] = await timed(cold, burst);
    const after: number[] = [];
    for (let i = 1; i <= 20; i++) after.push((await timed(cold, burst + i))[0]);
    const afterProbeMs = median(after);
    return {
      requests,
      coldFirstMs,
      learntMedianMs: median(learntMs),
      learntP99Ms: p99(learntMs),
      burst,
      coldBurstMedianMs: median(burstMs),
      coldBurstMaxMs: Math.max(...burstMs),
      probeMs,
      afterProbeMs,
      aloneMedianMs: median(aloneMs),
      aloneP99Ms: p99(aloneMs),
      learntVsAlone: median(learntMs) / median(aloneMs),
      servedByHealthy,
    };
  } finally {
    await Promise.all([learnt.close(), cold.close(), alone.close()]);
    await origin.close();
  }
}
