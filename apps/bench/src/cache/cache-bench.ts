import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cache, memoryStore } from "@switchyard/cache";
import { createClient } from "@switchyard/core";
import { retry } from "@switchyard/retry";
import { generatedBodySha256, startTestServer } from "@switchyard/testkit/servers";
import { Agent, request } from "undici";
import { runInChild } from "../child.ts";
import { measure, median } from "../measure.ts";

/** Options of {@link runCacheBench}. */
export interface CacheBenchOptions {
  readonly rounds: number;
  readonly requestsPerRound: number;
  readonly connections: number;
  /** Unmeasured calls per side before each case (JIT, pools, the first fill). */
  readonly warmup: number;
  /** Body size for the memory pass, bytes (1 GiB in a full run). */
  readonly memorySize: number;
}

/** One case measured against its baseline, rounds paired side by side. */
export interface CacheCase {
  readonly name: string;
  readonly size: number;
  readonly baseline: string;
  readonly requestsPerSecond: number;
  readonly baselineRequestsPerSecond: number;
  /** Median over rounds of (this case's req/s / the baseline's in the slice next to it). */
  readonly ratio: number;
  readonly target: number | undefined;
}

/** One memory pass: peak RSS growth over it, wall time, and what it read. */
export interface MemoryPass {
  readonly result: string;
  readonly peakMiB: number;
  readonly ms: number;
}

/** What the cache benchmark reports. */
export interface CacheReport {
  readonly cases: readonly CacheCase[];
  readonly memory: {
    readonly size: number;
    readonly bare: MemoryPass;
    readonly miss: MemoryPass;
    readonly hit: MemoryPass;
  };
  readonly memoryIntact: boolean;
}

/** Forks the cache origin (cache-origin.ts) and waits for its port. */
export async function startCacheOrigin(): Promise<{ url: string; close(): Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./cache-origin.ts", import.meta.url)), {
    stdio: "ignore",
    serialization: "json",
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the cache origin did not start in 10 s")), 10_000);
    child.once("message", (p) => {
      clearTimeout(timer);
      resolve(p as number);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
    },
  };
}

type Call = () => Promise<void>;

/**
 * The cache's figures: a fresh hit (memory and disk stores) against bare `undici.request` over
 * loopback at 32 B and 64 KiB (target: at least 1.5x); a revalidated hit (304 each time); the
 * plugin installed on `no-store` responses against the same client without it (target: at least
 * 0.95x); and peak memory for a large body filled into and served from the disk store.
 */
export async function runCacheBench(options: CacheBenchOptions): Promise<CacheReport> {
  const origin = await startCacheOrigin();
  const dir = mkdtempSync(join(tmpdir(), "sy-bench-cache-"));
  const dispatcher = new Agent({ connections: options.connections });
  const mem = cache({ store: memoryStore({ maxSize: 64 << 20 }) });
  const disk = cache({ dir: join(dir, "disk") });
  const withMem = createClient({ middleware: [mem], connections: options.connections });
  const withDisk = createClient({ middleware: [disk], connections: options.connections });
  const bareClient = createClient({ connections: options.connections });
  // As users install it: beside other plugins, so both sides take core's middleware path.
  const retried = createClient({ middleware: [retry()], connections: options.connections });
  const retriedDisk = cache({ dir: join(dir, "disk-retried") });
  const withDiskRetried = createClient({
    middleware: [retriedDisk, retry()],
    connections: options.connections,
  });
  const cases: CacheCase[] = [];
  const bare =
    (path: string): Call =>
    async () => {
      const res = await request(`${origin.url}${path}`, { dispatcher });
      await res.body.arrayBuffer();
    };
  const through =
    (client: ReturnType<typeof createClient>, path: string): Call =>
    async () => {
      const res = await client.request(`${origin.url}${path}`);
      await res.arrayBuffer();
    };
  const pair = async (
    name: string,
    size: number,
    baseline: string,
    base: Call,
    call: Call,
    target?: number,
  ) => {
    await measure(base, options.warmup, options.connections);
    await measure(call, options.warmup, options.connections);
    const ratios: number[] = [];
    const mine: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < options.rounds; r++) {
      const first = r % 2 === 0;
      const a = await measure(first ? base : call, options.requestsPerRound, options.connections);
      const b = await measure(first ? call : base, options.requestsPerRound, options.connections);
      const [x, y] = first ? [a, b] : [b, a];
      theirs.push(x.requestsPerSecond);
      mine.push(y.requestsPerSecond);
      ratios.push(y.requestsPerSecond / x.requestsPerSecond);
    }
    cases.push({
      name,
      size,
      baseline,
      requestsPerSecond: median(mine),
      baselineRequestsPerSecond: median(theirs),
      ratio: median(ratios),
      target,
    });
  };
  try {
    for (const size of [32, 65536]) {
      await pair(
        "fresh hit, memory store",
        size,
        "bare undici.request",
        bare(`/fresh/${size}`),
        through(withMem, `/fresh/${size}`),
        1.5,
      );
      await pair(
        "fresh hit, disk store",
        size,
        "bare undici.request",
        bare(`/fresh/${size}`),
        through(withDisk, `/fresh/${size}`),
        1.5,
      );
      await pair(
        "revalidated hit (304), disk store",
        size,
        "bare undici.request",
        bare(`/etag/${size}`),
        through(withDisk, `/etag/${size}`),
      );
      await pair(
        "installed, no-store responses",
        size,
        "same client without cache",
        through(bareClient, `/nostore/${size}`),
        through(withDisk, `/nostore/${size}`),
        0.95,
      );
      await pair(
        "installed beside retry, no-store responses",
        size,
        "same client (retry) without cache",
        through(retried, `/nostore/${size}`),
        through(withDiskRetried, `/nostore/${size}`),
        0.95,
      );
    }
  } finally {
    await Promise.all([
      withMem.close(),
      withDisk.close(),
      bareClient.close(),
      retried.close(),
      withDiskRetried.close(),
      dispatcher.close(),
    ]);
    await Promise.all([mem.close(), disk.close(), retriedDisk.close()]);
    await origin.close();
  }
  const server = await startTestServer();
  try {
    server.route("/large.bin", {
      headers: { "cache-control": "max-age=3600" },
      body: { size: options.memorySize, seed: "bench" },
    });
    const memory = await runInChild<{ bare: MemoryPass; miss: MemoryPass; hit: MemoryPass }>(
      new URL("./cache-memory-child.ts", import.meta.url),
      { url: `${server.origin}/large.bin`, dir: join(dir, "large") },
      { timeoutMs: 600_000 },
    );
    const sha = generatedBodySha256({ size: options.memorySize, seed: "bench" });
    return {
      cases,
      memory: { size: options.memorySize, ...memory },
      memoryIntact:
        memory.bare.result === sha &&
        memory.miss.result === `miss:${sha}` &&
        memory.hit.result === `hit:${sha}`,
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The cache benchmark as markdown. */
export function renderCache(
  report: CacheReport,
  table: (head: string[], rows: (string | number)[][]) => string,
): string {
  const f = (n: number, d = 0) => n.toFixed(d);
  const m = report.memory;
  return [
    "### Cache: hits and pass-through against their baselines (paired rounds, medians)",
    table(
      ["case", "body", "baseline", "req/s", "baseline req/s", "ratio", "target", "met"],
      report.cases.map((c) => [
        c.name,
        c.size === 32 ? "32 B" : `${c.size / 1024} KiB`,
        c.baseline,
        f(c.requestsPerSecond),
        f(c.baselineRequestsPerSecond),
        f(c.ratio, 2),
        c.target === undefined ? "" : `>= ${c.target}`,
        c.target === undefined ? "" : c.ratio >= c.target ? "yes" : "NO",
      ]),
    ),
    `### Cache: a ${f(m.size / 1024 / 1024)} MiB body, peak RSS growth`,
    table(
      ["pass", "peak RSS growth", "time"],
      [
        ["bare undici.request", `${f(m.bare.peakMiB, 1)} MiB`, `${f(m.bare.ms)} ms`],
        ["cache miss (fills the disk store while read)", `${f(m.miss.peakMiB, 1)} MiB`, `${f(m.miss.ms)} ms`],
        ["cache hit (streamed from disk, sha256 checked)", `${f(m.hit.peakMiB, 1)} MiB`, `${f(m.hit.ms)} ms`],
      ],
    ),
    `bytes intact in all three passes: ${report.memoryIntact ? "yes" : "NO"}`,
  ].join("\n\n");
}
