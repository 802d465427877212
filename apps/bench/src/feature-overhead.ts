// What the cache (on no-store answers), otel, ssrf and proxy: "env" cost on a request they do not
// concern, in JavaScript alone: one client over a fake dispatcher (no socket, no parser), each
// measurement in a fresh process, configurations interleaved round by round, medians reported in
// ns of CPU per call. Each row is read against its own baseline (the `vs` column): the cache
// against core and against one pass-through middleware (core's chain path), beside retry against
// retry alone; proxy: "env" against the same dispatch-level fake without the router.
// `node src/feature-overhead.ts [rounds] [calls]`.
import { runInChild } from "./child.ts";
import { median } from "./measure.ts";

const rounds = Number(process.argv[2] ?? 5);
const calls = Number(process.argv[3] ?? 200_000);
const child = new URL("./feature-overhead-child.ts", import.meta.url);

const configs: [name: string, baseline: string][] = [
  ["core", "core"],
  ["pass", "core"],
  ["cache", "pass"],
  ["cache, status header off", "pass"],
  ["retry", "core"],
  ["retry + cache", "retry"],
  ["otel elsewhere", "core"],
  ["otel, no-op providers", "pass"],
  ["ssrf", "pass"],
  ["dispatch-level", "dispatch-level"],
  ["proxy env, origin in NO_PROXY", "dispatch-level"],
];
const ns = new Map<string, number[]>(configs.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++) {
  for (const [config] of configs) {
    ns.get(config)!.push(await runInChild<number>(child, { config, calls }, { timeoutMs: 120_000 }));
  }
}
const core = median(ns.get("core")!);
console.table(
  configs.map(([name, baseline]) => {
    const m = median(ns.get(name)!);
    const b = median(ns.get(baseline)!);
    return {
      name,
      "ns/call": Math.round(m),
      "+ns over core": Math.round(m - core),
      vs: baseline,
      "+ns over vs": Math.round(m - b),
    };
  }),
);
