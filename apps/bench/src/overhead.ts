// The JavaScript cost of the chain alone: core and each plugin over a fake dispatcher that answers
// at once (no socket, no parser), so the figures are not drowned by I/O and scheduling noise. Each
// measurement runs in a fresh process with one client, rounds interleaved, medians reported.
// `node src/overhead.ts [rounds] [calls] [bench|users]`: `users` measures the plugins as a user
// configures them for other hosts (allSevenAsUsersConfigure); see allocations.ts for bytes per call.
import { allSevenPlugins } from "./all-plugins.ts";
import { runInChild } from "./child.ts";
import { median } from "./measure.ts";

const rounds = Number(process.argv[2] ?? 5);
const calls = Number(process.argv[3] ?? 200_000);
const config = process.argv[4] ?? "bench";
if (config !== "bench" && config !== "users")
  throw new Error(`configuration must be bench or users, got ${config}`);
const child = new URL("./overhead-child.ts", import.meta.url);

const configs: [string, string[] | "all"][] = [
  ["core", []],
  ...allSevenPlugins("http://127.0.0.1:8080").map((m): [string, string[]] => [`+ ${m.name}`, [m.name]]),
  ["all seven", "all"],
];
const ns = new Map<string, number[]>(configs.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, plugins] of configs) {
    ns.get(name)!.push(await runInChild<number>(child, { plugins, calls, config }, { timeoutMs: 120_000 }));
  }
}
const base = median(ns.get("core")!);
console.log(`configuration: ${config}, ${rounds} rounds of ${calls} calls, medians`);
console.table(
  configs.map(([name]) => {
    const m = median(ns.get(name)!);
    return { name, "ns/call": Math.round(m), "+ns over core": Math.round(m - base) };
  }),
);
