// The three resilience plugins on a request they do not concern (each configured for another
// origin, as a user guarding only some hosts would) against the same client without them: req/s
// ratios, rounds interleaved, medians. Also each one acting on a healthy origin with its defaults
// (breaker counting, rate-limit reading headers, hedge timing and arming a race), for reference.
// Target (DESIGN): >= 0.97x the same client without it on pass-through.
//   node src/resilience-pass-through.ts [rounds] [requests]      (about 30 s with the defaults)

import { breaker } from "@switchyard/breaker";
import type { Middleware } from "@switchyard/core";
import { createClient } from "@switchyard/core";
import { hedge } from "@switchyard/hedge";
import { rateLimit } from "@switchyard/rate-limit";
import { retry } from "@switchyard/retry";
import { measure, median } from "./measure.ts";
import { startOrigin } from "./origin.ts";

const rounds = Number(process.argv[2] ?? 7);
const requests = Number(process.argv[3] ?? 3000);
const elsewhere = ["https://elsewhere.example"];

const contenders: ReadonlyArray<{ name: string; extra: () => Middleware[] }> = [
  { name: "core + retry (baseline)", extra: () => [] },
  { name: "+ breaker, other origin", extra: () => [breaker({ origins: elsewhere })] },
  { name: "+ hedge, other origin", extra: () => [hedge({ origins: elsewhere })] },
  { name: "+ rate-limit, other origin", extra: () => [rateLimit({ origins: elsewhere })] },
  { name: "+ breaker, this origin", extra: () => [breaker()] },
  { name: "+ hedge, this origin", extra: () => [hedge()] },
  { name: "+ rate-limit, this origin", extra: () => [rateLimit()] },
];

const origin = await startOrigin();
const clients = contenders.map((c) => ({
  name: c.name,
  client: createClient({ connections: 16, middleware: [retry(), ...c.extra()] }),
}));
const rates = new Map<string, number[]>(clients.map((c) => [c.name, []]));
const cpu = new Map<string, number[]>(clients.map((c) => [c.name, []]));
try {
  for (let r = -1; r < rounds; r++) {
    // Rotate the order each round: load from other processes comes and goes.
    const order = clients.map((_, i) => clients[(i + Math.max(r, 0)) % clients.length]!);
    for (const { name, client } of order) {
      const round = await measure(
        async () => void (await (await client.request(origin.url)).discard()),
        requests,
        16,
      );
      if (r >= 0) {
        rates.get(name)!.push(round.requestsPerSecond);
        cpu.get(name)!.push(round.cpuMicros);
      }
    }
  }
} finally {
  for (const { client } of clients) await client.close();
  await origin.close();
}
const base = median(rates.get(clients[0]!.name)!);
const baseCpu = median(cpu.get(clients[0]!.name)!);
console.table(
  clients.map(({ name }) => {
    const m = median(rates.get(name)!);
    const c = median(cpu.get(name)!);
    return {
      client: name,
      "req/s": Math.round(m),
      "x baseline": (m / base).toFixed(3),
      "CPU µs/req": c.toFixed(1),
      "CPU x baseline": (c / baseCpu).toFixed(3),
    };
  }),
);
