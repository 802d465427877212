// What the production features cost on a request they do not concern, side by side with the same
// client without them, rounds interleaved (issue 18's bar: >= 0.97x):
//   - proxy: "env" whose NO_PROXY exempts the origin (the request goes direct through the router);
//   - a call without `integrity` on a client where other calls use it (nothing to check);
//   - ssrf() with the loopback origin allow-listed (the literal is checked and allowed), to be read
//     against one pass-through middleware (what any chain costs over core's direct path).
// `node src/production-features.ts [rounds] [requests]`; keep it short on a shared machine.
import { createClient } from "@switchyard/core";
import { ssrf } from "@switchyard/ssrf";
import { measure, median } from "./measure.ts";
import { startOrigin } from "./origin.ts";

const rounds = Number(process.argv[2] ?? 5);
const requests = Number(process.argv[3] ?? 3000);
const origin = await startOrigin();
const guard = ssrf({ allow: ["127.0.0.1"] });
const contenders = [
  { name: "core", client: createClient({ connections: 16 }) },
  {
    name: 'proxy: "env", origin in NO_PROXY',
    client: createClient({
      connections: 16,
      proxy: { from: "env", env: { http_proxy: "http://127.0.0.1:9", no_proxy: "127.0.0.1" } },
    }),
  },
  // The chain itself (one middleware) costs something over core's direct path: this row separates it.
  {
    name: "one pass-through middleware",
    client: createClient({
      connections: 16,
      middleware: [{ name: "pass", stage: "send", handle: (request, next) => next(request) }],
    }),
  },
  {
    name: "ssrf, origin allow-listed",
    client: createClient({ connections: 16, middleware: [guard], lookup: guard.lookup }),
  },
];
const rate = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
const cpu = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
try {
  for (let r = -1; r < rounds; r++) {
    for (const { name, client } of contenders) {
      const round = await measure(
        async () => void (await (await client.request(origin.url)).discard()),
        requests,
        16,
      );
      if (r >= 0) {
        rate.get(name)!.push(round.requestsPerSecond);
        cpu.get(name)!.push(round.cpuMicros);
      }
    }
  }
} finally {
  for (const { client } of contenders) await client.close();
  await origin.close();
}
const baseRate = median(rate.get("core")!);
const baseCpu = median(cpu.get("core")!);
console.table(
  contenders.map(({ name }) => ({
    name,
    "req/s": median(rate.get(name)!).toFixed(0),
    "x core": (median(rate.get(name)!) / baseRate).toFixed(3),
    "CPU µs/req": median(cpu.get(name)!).toFixed(1),
    "CPU x core": (median(cpu.get(name)!) / baseCpu).toFixed(3),
  })),
);
