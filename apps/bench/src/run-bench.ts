import os from "node:os";
import { runCacheBench } from "./cache/cache-bench.ts";
import type { BodyRead } from "./contenders.ts";
import { runFailover } from "./failover.ts";
import { runMemory } from "./memory/memory-bench.ts";
import type { BenchReport, Machine } from "./report.ts";
import { runStore } from "./store/store-bench.ts";
import { checkThroughputTargets } from "./targets.ts";
import { runThroughput, type ThroughputResult } from "./throughput.ts";

/** The benchmarks `runBench` knows, in run order. */
export const BENCHMARKS = ["throughput", "memory", "store", "failover", "cache"] as const;
export type Benchmark = (typeof BENCHMARKS)[number];

/** Options of {@link runBench}. */
export interface RunBenchOptions {
  /** Seconds-long smoke run of every benchmark: the figures mean nothing, only that it all runs. */
  readonly quick: boolean;
  /** Only these benchmarks. */
  readonly only?: readonly string[] | undefined;
  /** Only these throughput contenders (by name; bare undici is always measured). */
  readonly contenders?: readonly string[] | undefined;
  readonly rounds?: number | undefined;
  readonly requests?: number | undefined;
  /** Response body sizes in bytes; each is a throughput run of its own. */
  readonly bodySizes?: readonly number[] | undefined;
  /** How bodies are read, each a throughput run of its own (default: whole, then stream). */
  readonly reads?: readonly BodyRead[] | undefined;
  readonly log?: (line: string) => void;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function machine(loadStart: readonly number[]): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: os.totalmem() / GiB,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadStart,
    loadEnd: os.loadavg(),
  };
}

/**
 * Requests per slice for a body size: the 32 B count up to 16 KiB, then fewer, so that a slice of
 * 1 MiB bodies (a few hundred requests, ~0.3 GiB on loopback) lasts about as long as one of 32 B.
 */
export function requestsFor(requestsAt32Bytes: number, bodySize: number): number {
  if (bodySize <= 16 * 1024) return requestsAt32Bytes;
  return Math.max(20, Math.round(requestsAt32Bytes / Math.sqrt(bodySize / (16 * 1024))));
}

/** Runs the chosen benchmarks and returns the report (tables are rendered by report.ts). */
export async function runBench(options: RunBenchOptions): Promise<BenchReport> {
  const started = performance.now();
  const loadStart = os.loadavg();
  const quick = options.quick;
  const log = options.log ?? (() => {});
  const wanted = (b: Benchmark) => options.only === undefined || options.only.includes(b);
  for (const name of options.only ?? []) {
    if (!(BENCHMARKS as readonly string[]).includes(name))
      throw new Error(`unknown benchmark ${name}; pick from ${BENCHMARKS.join(", ")}`);
  }
  const settings = {
    throughput: {
      // Slices of 5000 requests (0.1-0.2 s for undici) at 32 B: on a 2-core machine shared with the
      // origin, slices of 2000 varied 20k-56k req/s and whole runs' ratios by ±0.04. Larger bodies
      // take fewer requests per slice (see requestsFor) so each slice lasts about as long.
      rounds: options.rounds ?? (quick ? 1 : 21),
      requestsPerRound: options.requests ?? (quick ? 300 : 5000),
      connections: 16,
      bodySizes: options.bodySizes ?? (quick ? [32, MiB] : [32, 64 * 1024, MiB]),
      reads: options.reads ?? (["whole", "stream"] as readonly BodyRead[]),
      only: options.contenders,
    },
    memory: quick
      ? { sizes: [4 * MiB, 8 * MiB], warmSize: MiB, bufferedSizes: [4 * MiB] }
      : { sizes: [GiB, 4 * GiB], warmSize: 8 * MiB, bufferedSizes: [GiB], repeats: 3 },
    store: { targets: quick ? 20_000 : 1_000_000, capacities: quick ? [1000] : [1000, 10_000] },
    failover: { requests: quick ? 20 : 500, burst: quick ? 4 : 16 },
    cache: {
      rounds: quick ? 1 : 15,
      requestsPerRound: quick ? 100 : 5000,
      connections: 16,
      warmup: quick ? 50 : 500,
      memorySize: quick ? 4 * MiB : GiB,
    },
  };
  let report: BenchReport = {
    date: new Date().toISOString(),
    quick,
    machine: machine(loadStart),
    settings,
    durationMs: 0,
  };
  if (wanted("throughput")) {
    const throughput: ThroughputResult[] = [];
    for (const read of settings.throughput.reads) {
      for (const bodySize of settings.throughput.bodySizes) {
        const requestsPerRound = requestsFor(settings.throughput.requestsPerRound, bodySize);
        log(
          `throughput, ${bodySize} B bodies read ${read}: ${settings.throughput.rounds} rounds of ${requestsPerRound} requests`,
        );
        throughput.push(
          ...(await runThroughput({ ...settings.throughput, bodySize, read, requestsPerRound })),
        );
      }
    }
    report = { ...report, throughput, targets: checkThroughputTargets(throughput) };
  }
  if (wanted("memory")) {
    log(`memory: ${settings.memory.sizes.map((s) => `${s / MiB} MiB`).join(", ")} up and down`);
    report = { ...report, memory: await runMemory(settings.memory) };
  }
  if (wanted("store")) {
    log(`store: ${settings.store.targets} distinct targets`);
    report = { ...report, store: await runStore(settings.store.targets, settings.store.capacities) };
  }
  if (wanted("failover")) {
    log("failover: dead primary + healthy mirror");
    report = { ...report, failover: await runFailover(settings.failover.requests, settings.failover.burst) };
  }
  if (wanted("cache")) {
    log("cache: fresh and revalidated hits, no-store pass-through, a large body through the disk store");
    report = { ...report, cache: await runCacheBench(settings.cache) };
  }
  return { ...report, machine: machine(loadStart), durationMs: performance.now() - started };
}
