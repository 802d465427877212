// The marginal client CPU per request of each plugin on a pass-through request: core alone, core
// with one plugin, core with all seven, rounds interleaved. `node src/per-plugin.ts [rounds] [requests]`.
import { createClient } from "@switchyard/core";
import { allSevenPlugins } from "./all-plugins.ts";
import { measure, median } from "./measure.ts";
import { startOrigin } from "./origin.ts";

const rounds = Number(process.argv[2] ?? 5);
const requests = Number(process.argv[3] ?? 5000);
const origin = await startOrigin();
const plugins = allSevenPlugins(new URL(origin.url).origin);
const clients = [
  { name: "core", client: createClient({ connections: 16 }) },
  ...plugins.map((m, i) => ({
    name: `+ ${m.name}`,
    client: createClient({ connections: 16, middleware: [allSevenPlugins(new URL(origin.url).origin)[i]!] }),
  })),
  { name: "all seven", client: createClient({ connections: 16, middleware: plugins }) },
];
const cpu = new Map<string, number[]>(clients.map((c) => [c.name, []]));
try {
  for (let r = -1; r < rounds; r++) {
    for (const { name, client } of clients) {
      const round = await measure(
        async () => void (await (await client.request(origin.url)).discard()),
        requests,
        16,
      );
      if (r >= 0) cpu.get(name)!.push(round.cpuMicros);
    }
  }
} finally {
  for (const { client } of clients) await client.close();
  await origin.close();
}
const base = median(cpu.get("core")!);
console.table(
  clients.map(({ name }) => {
    const m = median(cpu.get(name)!);
    return { name, "CPU µs/req": m.toFixed(1), "+µs over core": (m - base).toFixed(1) };
  }),
);
