// `pnpm bench`: prints the throughput table with ratios to bare undici and writes JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runThroughput } from "./throughput.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "string", default: ".reports/bench.json" },
  },
});

const quick = values.quick === true;
const results = await runThroughput({
  rounds: quick ? 1 : 7,
  requestsPerRound: quick ? 500 : 10_000,
  connections: 16,
});

const rows = results.map((r) => ({
  contender: r.name,
  "req/s": Math.round(r.requestsPerSecond),
  "CPU us/req": Number(r.cpuMicros.toFixed(1)),
  "x undici (req/s)": Number(r.ratio.toFixed(3)),
  "x undici (CPU)": Number(r.cpuRatio.toFixed(3)),
}));
console.table(rows);
const report = { date: new Date().toISOString(), node: process.version, quick, throughput: results };
mkdirSync(new URL("../../../.reports/", import.meta.url), { recursive: true });
writeFileSync(new URL(`../../../${values.json}`, import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
console.log(
  quick ? "quick mode: figures are not meaningful, only that the scripts run" : `written to ${values.json}`,
);
