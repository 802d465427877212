// CI runs every benchmark in quick mode so the scripts never rot. No thresholds: a quick run on a
// shared CI machine measures nothing; this checks that each benchmark runs end to end and reports
// every contender with finite numbers.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { peerAvailable } from "@switchyard/test-peers";
import { afterAll, describe, expect, it } from "vitest";
import { CONTENDERS, REDIS_CONTENDER } from "./contenders.ts";
import type { MemoryKind } from "./memory/memory-case.ts";
import type { BenchReport } from "./report.ts";

const dir = mkdtempSync(join(tmpdir(), "sy-bench-smoke-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function finite(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value);
}

describe("pnpm bench --quick", () => {
  const json = join(dir, "bench.json");
  let report: BenchReport;
  let output = "";

  it("runs every benchmark end to end and writes the JSON report", () => {
    const main = fileURLToPath(new URL("./main.ts", import.meta.url));
    // The cache benchmark runs on its own below, so it adds nothing to this run's time.
    const only = "throughput,memory,store,failover";
    const run = spawnSync(process.execPath, [main, "--quick", "--only", only, "--json", json], {
      encoding: "utf8",
      timeout: 150_000,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    output = run.stdout;
    expect(run.error, run.stderr).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    report = JSON.parse(readFileSync(json, "utf8")) as BenchReport;
    expect(report.quick).toBe(true);
    expect(report.machine.cpus).toBeGreaterThan(0);
  }, 160_000);

  it("measures every throughput contender at each body size with finite rates, CPU and ratios", () => {
    const sizes = [32, 1024 * 1024];
    // The Redis-store contender runs when redis-server is installed (a Debian test peer).
    const expected = CONTENDERS.filter((name) => name !== REDIS_CONTENDER || peerAvailable("redis"));
    // Read as a stream: bare undici and the Switchyard clients that hand out a Node stream.
    const streamed = expected.filter((name) => [0, 1, 2, 3, 12, 13].some((i) => CONTENDERS[i] === name));
    expect(report.throughput?.map((r) => `${r.read} ${r.bodySize} ${r.name}`)).toEqual([
      ...sizes.flatMap((size) => expected.map((name) => `whole ${size} ${name}`)),
      ...sizes.flatMap((size) => streamed.map((name) => `stream ${size} ${name}`)),
    ]);
    for (const r of report.throughput ?? []) {
      expect(r.requestsPerSecond, r.name).toBeGreaterThan(0);
      expect(r.cpuMicros, r.name).toBeGreaterThan(0);
      expect(finite(r.ratio) && finite(r.cpuRatio), r.name).toBe(true);
    }
    // Per size read whole: core, both all-seven configurations (and the Redis-store one when it
    // ran), client.fetch vs global fetch, core vs 4 peers; read as a stream, the first three.
    const redis = peerAvailable("redis") ? 1 : 0;
    expect(report.targets).toHaveLength((8 + redis) * sizes.length + (3 + redis) * sizes.length);
    for (const t of report.targets ?? []) expect(finite(t.value) && finite(t.cpuValue), t.target).toBe(true);
    expect(output).toContain("| core, all seven plugins");
    expect(output).toContain("### Throughput, 1 MiB bodies read whole");
    expect(output).toContain("### Throughput, 1 MiB bodies read as a stream");
    expect(output).toContain("| undici dispatch (floor)");
  });

  it("measures memory for every case and size, each transfer complete", () => {
    const memory = report.memory!;
    const kinds: MemoryKind[] = ["bare-up", "switchyard-up", "bare-down", "switchyard-down"];
    const proxySkipped = memory.skipped.some((s) => s.startsWith("proxy-up"));
    if (!proxySkipped) kinds.push("proxy-up");
    const sizes = [4, 8].map((m) => m * 1024 * 1024);
    for (const size of sizes) {
      for (const kind of kinds) {
        const r = memory.results.find((x) => x.kind === kind && x.size === size);
        expect(r, `${kind} ${size}`).toBeDefined();
        expect(r!.bytes).toBe(size);
        expect(r!.status).toBe(200);
        expect(finite(r!.growth) && r!.baseline > 0, `${kind} ${size}`).toBe(true);
      }
    }
    expect(memory.results.some((r) => r.kind === "buffered-down")).toBe(true);
    // Growth vs bare for down, up (and proxy), flatness for each streamed kind.
    expect(memory.comparisons.length).toBeGreaterThanOrEqual(proxySkipped ? 8 : 11);
    for (const c of memory.comparisons) expect(finite(c.value), c.what).toBe(true);
  });

  it("keeps retry-after's store at its bound", () => {
    const [store] = report.store ?? [];
    expect(store?.atBound).toBe(true);
    expect(store?.samples.at(-1)?.size).toBe(store?.capacity);
    expect(finite(store?.heapGrowthAfterBound) && finite(store?.nsPerRequest)).toBe(true);
  });

  it("times mirror failover, learnt requests all served by the healthy mirror", () => {
    const fo = report.failover!;
    for (const key of [
      "coldFirstMs",
      "learntMedianMs",
      "learntP99Ms",
      "coldBurstMedianMs",
      "coldBurstMaxMs",
      "probeMs",
      "afterProbeMs",
      "aloneMedianMs",
      "aloneP99Ms",
      "learntVsAlone",
    ] as const) {
      expect(finite(fo[key]) && fo[key] > 0, key).toBe(true);
    }
    expect(fo.servedByHealthy).toBe(fo.requests);
  });
});

describe("the chain's own cost over the fake dispatcher", () => {
  const run = (script: string, args: string[]) =>
    spawnSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, NODE_OPTIONS: "" },
    });

  it("overhead.ts reports ns per call for core, each plugin and all seven", () => {
    const out = run("./overhead.ts", ["1", "2000"]);
    expect(out.status, out.stderr).toBe(0);
    for (const name of ["core", "+ retry", "+ auth", "+ gcs", "all seven"]) {
      const row = out.stdout.split("\n").find((line) => line.includes(`'${name}'`));
      expect(row, name).toBeDefined();
      expect(Number(row!.split("│")[3]), name).toBeGreaterThan(0);
    }
  }, 70_000);

  it('feature-overhead.ts reports ns per call for the cache, otel, ssrf and proxy: "env" rows', () => {
    const out = run("./feature-overhead.ts", ["1", "2000"]);
    expect(out.status, out.stderr).toBe(0);
    for (const name of [
      "core",
      "cache",
      "retry + cache",
      "otel elsewhere",
      "ssrf",
      "proxy env, origin in NO_PROXY",
    ]) {
      const row = out.stdout.split("\n").find((line) => line.includes(`'${name}'`));
      expect(row, name).toBeDefined();
      expect(Number(row!.split("│")[3]), name).toBeGreaterThan(0);
    }
  }, 70_000);

  it("production-features.ts pairs every feature with its baseline on a socket", () => {
    const out = run("./production-features.ts", ["1", "200"]);
    expect(out.status, out.stderr).toBe(0);
    for (const name of [
      'proxy: "env"',
      "otel() idle elsewhere",
      "otel() busy elsewhere",
      "no-op providers",
      "ssrf",
    ]) {
      const row = out.stdout.split("\n").find((line) => line.includes(name));
      expect(row, name).toBeDefined();
      const ratio = Number(row!.split("│")[5]!.replaceAll("'", ""));
      expect(ratio > 0 && Number.isFinite(ratio), name).toBe(true);
    }
  }, 70_000);

  it("allocations.ts reports bytes per call with the sites that allocate them", () => {
    const out = run("./allocations.ts", ["2000"]);
    expect(out.status, out.stderr).toBe(0);
    const totals = [...out.stdout.matchAll(/^(core|all seven): (\d+) bytes per call$/gm)];
    expect(totals.map((m) => m[1])).toEqual(["core", "all seven"]);
    for (const m of totals) expect(Number(m[2])).toBeGreaterThan(0);
    expect(out.stdout).toMatch(/client\.ts:\d+/);
  }, 70_000);
});

describe("pnpm bench --quick --only cache", () => {
  it("measures every cache case with finite rates and a complete large body", () => {
    const json = join(dir, "cache.json");
    const main = fileURLToPath(new URL("./main.ts", import.meta.url));
    const run = spawnSync(process.execPath, [main, "--quick", "--only", "cache", "--json", json], {
      encoding: "utf8",
      timeout: 150_000,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(run.status, run.stderr).toBe(0);
    const cache = (JSON.parse(readFileSync(json, "utf8")) as BenchReport).cache!;
    expect(cache.cases).toHaveLength(10);
    for (const c of cache.cases) expect(finite(c.ratio) && c.requestsPerSecond > 0, c.name).toBe(true);
    expect(cache.memoryIntact).toBe(true);
    expect(run.stdout).toContain("### Cache: hits and pass-through");
  }, 160_000);
});
