// `pnpm bench` (scripts/bench.mjs runs this package's `bench` script): throughput against bare
// undici and the peers, memory of streamed transfers, retry-after's store, mirror failover.
// Prints markdown tables and writes the machine-readable report (default .reports/bench.json).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { BodyRead } from "./contenders.ts";
import { compareMemory } from "./memory/memory-bench.ts";
import { type BenchReport, renderReport } from "./report.ts";
import { runBench } from "./run-bench.ts";
import { checkThroughputTargets } from "./targets.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "string", default: ".reports/bench.json" },
    markdown: { type: "string" },
    only: { type: "string" },
    contenders: { type: "string" },
    rounds: { type: "string" },
    requests: { type: "string" },
    bodies: { type: "string" },
    reads: { type: "string" },
    from: { type: "string" },
  },
});

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
// --from: re-render a saved report, recomputing the target checks with the current criteria.
const report = values.from
  ? rerender(JSON.parse(readFileSync(resolve(root, values.from), "utf8")) as BenchReport)
  : await runBench({
      quick: values.quick === true,
      only: values.only?.split(",").map((s) => s.trim()),
      contenders: values.contenders?.split(";").map((s) => s.trim()),
      rounds: values.rounds === undefined ? undefined : Number(values.rounds),
      requests: values.requests === undefined ? undefined : Number(values.requests),
      bodySizes: values.bodies?.split(",").map((s) => Number(s.trim())),
      reads: values.reads?.split(",").map((s) => s.trim() as BodyRead),
      log: (line) => console.error(line),
    });

function rerender(saved: BenchReport): BenchReport {
  const sizes = (saved.settings.memory as { sizes?: number[] } | undefined)?.sizes ?? [];
  return {
    ...saved,
    ...(saved.throughput ? { targets: checkThroughputTargets(saved.throughput) } : {}),
    ...(saved.memory
      ? { memory: { ...saved.memory, comparisons: compareMemory(saved.memory.summary, sizes) } }
      : {}),
  };
}
const text = renderReport(report);
console.log(text);
const json = resolve(root, values.json ?? ".reports/bench.json");
mkdirSync(dirname(json), { recursive: true });
writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten to ${json}${os.EOL}`);
if (values.markdown) writeFileSync(resolve(root, values.markdown), `${text}\n`);
