// `node src/fetch-sizes.ts [--seconds 50]`: client.fetch against Node's global fetch and undici's
// fetch at 32 B, 64 KiB and 1 MiB bodies, each body read to the end with arrayBuffer(). The origin
// runs in its own process; slices of each contender alternate with slices of global fetch, and
// each ratio is the median over pairs of adjacent slices (as throughput.ts pairs with bare undici).
import { parseArgs } from "node:util";
import { createClient } from "@switchyard/core";
import { Agent, fetch as undiciFetch } from "undici";
import { measure, median } from "./measure.ts";
import { startOrigin } from "./origin.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "50" } } });
const budgetMs = Number(values.seconds) * 1000;

const SIZES = [
  { label: "32 B", bytes: 32, requests: 2000 },
  { label: "64 KiB", bytes: 64 * 1024, requests: 600 },
  { label: "1 MiB", bytes: 1024 * 1024, requests: 80 },
] as const;
const CONNECTIONS = 16;

/** One size's result: req/s medians and the ratios to global fetch. */
export interface FetchSizeResult {
  readonly size: string;
  readonly pairs: number;
  readonly globalFetch: number;
  readonly clientFetch: number;
  readonly undiciFetch: number;
  readonly clientRatio: number;
  readonly undiciRatio: number;
  /** Client CPU per request, microseconds (medians): global fetch, client.fetch, undici fetch. */
  readonly cpu: readonly [number, number, number];
}

const origin = await startOrigin();
const pool = { connections: CONNECTIONS, keepAliveTimeout: 60_000 };
const client = createClient(pool);
const agent = new Agent(pool);
const results: FetchSizeResult[] = [];
try {
  const started = performance.now();
  for (const [index, size] of SIZES.entries()) {
    const url = `${origin.url}bytes/${size.bytes}`;
    const contenders = {
      global: async () => void (await (await globalThis.fetch(url)).arrayBuffer()),
      client: async () => void (await (await client.fetch(url)).arrayBuffer()),
      undici: async () => void (await (await undiciFetch(url, { dispatcher: agent })).arrayBuffer()),
    };
    for (const call of Object.values(contenders)) await measure(call, size.requests / 2, CONNECTIONS);
    const rate = { global: [] as number[], client: [] as number[], undici: [] as number[] };
    const cpu = { global: [] as number[], client: [] as number[], undici: [] as number[] };
    const ratios = { client: [] as number[], undici: [] as number[] };
    // Each size gets an equal share of the time budget, at least three pairs.
    const until = started + (budgetMs * (index + 1)) / SIZES.length;
    for (let round = 0; round < 3 || performance.now() < until; round++) {
      for (const name of ["client", "undici"] as const) {
        const globalFirst = round % 2 === 0;
        const a = await measure(
          globalFirst ? contenders.global : contenders[name],
          size.requests,
          CONNECTIONS,
        );
        const b = await measure(
          globalFirst ? contenders[name] : contenders.global,
          size.requests,
          CONNECTIONS,
        );
        const [g, mine] = globalFirst ? [a, b] : [b, a];
        rate.global.push(g.requestsPerSecond);
        cpu.global.push(g.cpuMicros);
        cpu[name].push(mine.cpuMicros);
        rate[name].push(mine.requestsPerSecond);
        ratios[name].push(mine.requestsPerSecond / g.requestsPerSecond);
      }
      if (round > 200) break;
    }
    results.push({
      size: size.label,
      pairs: ratios.client.length,
      globalFetch: median(rate.global),
      clientFetch: median(rate.client),
      undiciFetch: median(rate.undici),
      clientRatio: median(ratios.client),
      undiciRatio: median(ratios.undici),
      cpu: [median(cpu.global), median(cpu.client), median(cpu.undici)],
    });
  }
} finally {
  await client.close();
  await agent.close();
  await origin.close();
}

const f = (n: number) => n.toFixed(0);
console.log(
  "| body | pairs | global fetch req/s | client.fetch req/s | undici fetch req/s | client.fetch / global | undici fetch / global | CPU µs/req: global, client.fetch, undici |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of results) {
  console.log(
    `| ${r.size} | ${r.pairs} | ${f(r.globalFetch)} | ${f(r.clientFetch)} | ${f(r.undiciFetch)} | ${r.clientRatio.toFixed(2)}x | ${r.undiciRatio.toFixed(2)}x | ${r.cpu.map(f).join(", ")} |`,
  );
}
console.log(`\ntarget: client.fetch >= 1.5x global fetch at every size (Node ${process.version})`);
