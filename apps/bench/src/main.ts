// `pnpm bench` (scripts/bench.mjs runs this package's `bench` script): throughput against bare
// undici and the peers, memory of streamed transfers, retry-after's store, mirror failover.
// Prints markdown tables and writes the machine-readable report (default .reports/bench.json).
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderReport } from "./report.ts";
import { runBench } from "./run-bench.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "string", default: ".reports/bench.json" },
    markdown: { type: "string" },
    only: { type: "string" },
    contenders: { type: "string" },
    rounds: { type: "string" },
    requests: { type: "string" },
  },
});

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const report = await runBench({
  quick: values.quick === true,
  only: values.only?.split(",").map((s) => s.trim()),
  contenders: values.contenders?.split(";").map((s) => s.trim()),
  rounds: values.rounds === undefined ? undefined : Number(values.rounds),
  requests: values.requests === undefined ? undefined : Number(values.requests),
  log: (line) => console.error(line),
});
const text = renderReport(report);
console.log(text);
const json = resolve(root, values.json ?? ".reports/bench.json");
mkdirSync(dirname(json), { recursive: true });
writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten to ${json}${os.EOL}`);
if (values.markdown) writeFileSync(resolve(root, values.markdown), `${text}\n`);
