// What the production features cost on a request they do not concern, side by side with the same
// client without them, rounds interleaved (issue 18's bar: >= 0.97x):
//   - proxy: "env" whose NO_PROXY exempts the origin (the request goes direct through the router);
//   - otel(): a client without it while another client in the process has it (core then publishes
//     its events, and otel's listeners look the call up and ignore it), and a client with it over
//     the API's no-op providers (the plugin's own work, spans discarded);
//   - (a call without `integrity` takes one `undefined` check in client.request: nothing to measure);
//   - ssrf() with the loopback origin allow-listed (the literal is checked and allowed), to be read
//     against one pass-through middleware (what any chain costs over core's direct path).
// `node src/production-features.ts [rounds] [requests]`; keep it short on a shared machine.
import { createClient } from "@switchyard/core";
import { otel } from "@switchyard/otel";
import { ssrf } from "@switchyard/ssrf";
import { measure, median } from "./measure.ts";
import { startOrigin } from "./origin.ts";

const rounds = Number(process.argv[2] ?? 5);
const requests = Number(process.argv[3] ?? 3000);
const origin = await startOrigin();
const guard = ssrf({ allow: ["127.0.0.1"] });
// otel() subscribes when created: each round creates one before the two otel rows (the traced
// client is reloaded with it) and closes it after them, so the other rows run with no listener.
let tracing: ReturnType<typeof otel> | undefined;
const traced = createClient({ connections: 16 });
const contenders: Array<{
  name: string;
  client: ReturnType<typeof createClient>;
  before?: () => Promise<void>;
  after?: () => void;
}> = [
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
    name: "core, otel() alive elsewhere",
    client: createClient({ connections: 16 }),
    before: async () => {
      tracing = otel();
      await traced.reload({ connections: 16, middleware: [tracing] });
    },
  },
  {
    name: "otel(), no-op providers",
    client: traced,
    after: () => {
      tracing?.close();
      tracing = undefined;
    },
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
    for (const { name, client, before, after } of contenders) {
      await before?.();
      const round = await measure(
        async () => void (await (await client.request(origin.url)).discard()),
        requests,
        16,
      );
      after?.();
      if (r >= 0) {
        rate.get(name)!.push(round.requestsPerSecond);
        cpu.get(name)!.push(round.cpuMicros);
      }
    }
  }
} finally {
  tracing?.close();
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
