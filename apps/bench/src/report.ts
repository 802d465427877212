import type { CacheReport } from "./cache/cache-bench.ts";
import { renderCache } from "./cache/cache-bench.ts";
import type { FailoverReport } from "./failover.ts";
import type { MemoryReport } from "./memory/memory-bench.ts";
import type { StoreReport } from "./store/store-bench.ts";
import type { TargetCheck } from "./targets.ts";
import type { ThroughputResult } from "./throughput.ts";

/** The machine a run happened on. */
export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average at the start and the end of the run. */
  readonly loadStart: readonly number[];
  readonly loadEnd: readonly number[];
}

/** What `pnpm bench` writes to .reports/bench.json. */
export interface BenchReport {
  readonly date: string;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly settings: Record<string, unknown>;
  readonly throughput?: readonly ThroughputResult[];
  readonly targets?: readonly TargetCheck[];
  readonly memory?: MemoryReport;
  readonly store?: readonly StoreReport[];
  readonly failover?: FailoverReport;
  readonly cache?: CacheReport;
  readonly durationMs: number;
}

const MiB = 1024 * 1024;

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const width = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(width[i]!)).join(" | ")} |`;
  return [line(head), `| ${width.map((w) => "-".repeat(w)).join(" | ")} |`, ...cells.slice(1).map(line)].join(
    "\n",
  );
}

const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const size = (bytes: number) =>
  bytes >= 1024 * MiB ? `${f(bytes / 1024 / MiB, 0)} GiB` : `${f(bytes / MiB, 0)} MiB`;

const bytes = (n: number) =>
  n >= MiB ? `${f(n / MiB, 0)} MiB` : n >= 1024 ? `${f(n / 1024, 0)} KiB` : `${n} B`;

/** Markdown tables of a report (what the console shows and BENCHMARKS.md holds). */
/** One throughput run: its body size and how bodies were read (stream in older reports). */
function runOf(r: ThroughputResult): string {
  return `${r.bodySize ?? 2} ${r.read ?? "stream"}`;
}

export function renderReport(report: BenchReport): string {
  const out: string[] = [];
  const m = report.machine;
  out.push(
    `${report.date} — ${m.cpus} × ${m.cpuModel}, ${f(m.memoryGiB, 0)} GiB RAM, Node ${m.node} (${m.platform}); ` +
      `load average ${m.loadStart.map((l) => f(l, 1)).join("/")} at start, ${m.loadEnd.map((l) => f(l, 1)).join("/")} at end` +
      (report.quick ? " — QUICK MODE: figures are not meaningful" : ""),
  );
  const runs = [...new Set((report.throughput ?? []).map(runOf))];
  for (const run of runs) {
    const [bodySize, read] = run.split(" ") as [string, string];
    out.push(
      `### Throughput, ${bytes(Number(bodySize))} bodies read ${read === "whole" ? "whole (arrayBuffer)" : "as a stream"} (loopback; each ratio against the bare undici.request slice run next to it)`,
      table(
        ["contender", "req/s", "CPU µs/req", "× undici (req/s)", "× undici (CPU)"],
        (report.throughput ?? [])
          .filter((r) => runOf(r) === run)
          .map((r) => [
            r.name,
            Math.round(r.requestsPerSecond),
            f(r.cpuMicros, 1),
            f(r.ratio, 3),
            f(r.cpuRatio, 3),
          ]),
      ),
    );
  }
  if (report.targets) {
    out.push(
      "### Targets",
      table(
        ["target", "body", "req/s ratio", "CPU ratio", "threshold", "met"],
        report.targets.map((t) => [
          t.target,
          `${bytes(t.bodySize ?? 2)}, ${t.read ?? "stream"}`,
          f(t.value, 3),
          f(t.cpuValue, 3),
          `>= ${t.threshold}${t.cpuThreshold === undefined ? "" : ` (CPU >= ${f(t.cpuThreshold, 3)})`}`,
          t.met ? "yes" : "NO",
        ]),
      ),
    );
  }
  if (report.memory) {
    out.push(
      "### Memory: peak RSS growth over the baseline, each case in a fresh process",
      table(
        ["case", "size", "runs", "peak growth (median)", "min–max", "MB/s"],
        report.memory.summary.map((r) => [
          r.kind,
          size(r.size),
          r.runs,
          `${f(r.growth / MiB, 1)} MiB`,
          `${f(r.minGrowth / MiB, 1)}–${f(r.maxGrowth / MiB, 1)} MiB`,
          f(r.mbPerSecond, 0),
        ]),
      ),
      table(
        ["comparison", "value", "target", "met"],
        report.memory.comparisons.map((c) => [c.what, f(c.value, 2), c.target, c.met ? "yes" : "NO"]),
      ),
    );
    for (const s of report.memory.skipped) out.push(`skipped: ${s}`);
  }
  if (report.store) {
    out.push(
      "### retry-after store: distinct targets answering 429 + Retry-After: 60",
      table(
        [
          "capacity",
          "targets",
          "size at end",
          "heap after GC: start",
          "at bound",
          "at end",
          "growth past bound",
          "µs/request",
        ],
        report.store.map((s) => {
          const atBound = s.samples.find((x) => x.targets >= s.capacity);
          const last = s.samples[s.samples.length - 1];
          return [
            s.capacity,
            s.targets,
            last?.size ?? 0,
            `${f(s.before / MiB, 2)} MiB`,
            `${f((atBound?.heapUsed ?? 0) / MiB, 2)} MiB`,
            `${f((last?.heapUsed ?? 0) / MiB, 2)} MiB`,
            `${f(s.heapGrowthAfterBound / 1024, 0)} KiB${s.flat ? " (flat)" : " (NOT flat)"}`,
            f(s.nsPerRequest / 1000, 1),
          ];
        }),
      ),
    );
  }
  if (report.failover) {
    const fo = report.failover;
    out.push(
      "### Mirror failover: dead primary (closed port) + healthy mirror, default options",
      table(
        ["measure", "ms"],
        [
          ["first request, pool knows nothing (refused, 50 ms failover delay, mirror)", f(fo.coldFirstMs)],
          [`next ${fo.requests} requests, median (mirror first)`, f(fo.learntMedianMs)],
          [`next ${fo.requests} requests, p99`, f(fo.learntP99Ms)],
          ["healthy mirror alone, median", f(fo.aloneMedianMs)],
          ["healthy mirror alone, p99", f(fo.aloneP99Ms)],
          [`cold burst of ${fo.burst} concurrent, median`, f(fo.coldBurstMedianMs)],
          [`cold burst of ${fo.burst} concurrent, max`, f(fo.coldBurstMaxMs)],
          ["probe of the dead primary after the 30 s cool-down", f(fo.probeMs)],
          ["requests after the probe, median", f(fo.afterProbeMs)],
        ],
      ),
      `learnt / alone: ${f(fo.learntVsAlone, 2)}×; served by the healthy mirror: ${fo.servedByHealthy} of ${fo.requests}`,
    );
  }
  if (report.cache) out.push(renderCache(report.cache, table));
  out.push(`(run took ${f(report.durationMs / 1000, 1)} s)`);
  return out.join("\n\n");
}
