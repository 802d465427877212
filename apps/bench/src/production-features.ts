// What the production features cost on a request they do not concern, against the same client
// without them (issue 18's bar: >= 0.97x):
//   - proxy: "env" whose NO_PROXY exempts the origin (the request goes direct through the router);
//   - otel() alive in the process while the measured client has none: idle (no traced call in
//     flight: otel listens to nothing then), and busy (a traced call held in flight the whole slice:
//     core publishes its events for every client and otel's listeners look each call up and ignore it);
//   - otel() on the measured client over the API's no-op providers (the plugin's own work, spans
//     discarded), read against one pass-through middleware (what any chain costs over core's
//     direct path);
//   - ssrf() with the loopback origin allow-listed (the literal is checked and allowed), also read
//     against one pass-through middleware.
//   (A call without `integrity` takes one `undefined` check in client.request: nothing to measure.)
// Each contender's slice is paired with a slice of its baseline run right next to it (alternately
// before and after), contenders in a rotated order each round, and each figure is the median over
// all pairs of the paired ratio: load from other processes, which comes and goes within seconds on
// a shared machine, hits both sides of a ratio alike. CPU is the client's (the origin is a child
// process). `node src/production-features.ts [rounds] [requests]`: the defaults (7, 4000) take about
// a minute here, and no more than three on a slow machine.
import { createClient, type Middleware } from "@switchyard/core";
import { otel } from "@switchyard/otel";
import { ssrf } from "@switchyard/ssrf";
import { measure, median, type Round } from "./measure.ts";
import { startOrigin } from "./origin.ts";

const rounds = Number(process.argv[2] ?? 7);
const requests = Number(process.argv[3] ?? 4000);
const CONNECTIONS = 16;
const PAIRS = 2;
const origin = await startOrigin();
const guard = ssrf({ allow: ["127.0.0.1"] });
const pass: Middleware = { name: "pass", stage: "send", handle: (request, next) => next(request) };

// otel() subscribes while a call it traces is in flight (and a second after): every otel row
// builds its own instance and closes it after the slice, so no other slice runs with a listener.
let tracing: ReturnType<typeof otel> | undefined;
const traced = createClient({ connections: CONNECTIONS });
// A call on `holder` waits in its send stage until the gate opens: otel counts it in flight meanwhile.
let gate = Promise.resolve();
let openGate = (): void => {};
let held: Promise<unknown> | undefined;
const holder = createClient({ connections: 1 });
const hold: Middleware = {
  name: "hold",
  stage: "send",
  handle: (request, next) => gate.then(() => next(request)),
};
const startTracing = async (withHolder: boolean): Promise<void> => {
  tracing = otel();
  await traced.reload({ connections: CONNECTIONS, middleware: [tracing] });
  if (withHolder) {
    gate = new Promise<void>((resolve) => (openGate = resolve));
    await holder.reload({ connections: 1, middleware: [tracing, hold] });
    held = holder.request(origin.url).then((res) => res.discard());
  }
};
const stopTracing = async (): Promise<void> => {
  openGate();
  await held;
  held = undefined;
  tracing?.close();
  tracing = undefined;
};

interface Contender {
  readonly name: string;
  readonly client: ReturnType<typeof createClient>;
  /** The row this one is read against. */
  readonly baseline: "core" | "one pass-through middleware";
  readonly before?: () => Promise<void>;
  readonly after?: () => Promise<void>;
}
const core = createClient({ connections: CONNECTIONS });
const passClient = createClient({ connections: CONNECTIONS, middleware: [pass] });
const plain = createClient({ connections: CONNECTIONS });
const contenders: Contender[] = [
  // The chain itself (one middleware) costs something over core's direct path: this row separates it.
  { name: "one pass-through middleware", client: passClient, baseline: "core" },
  {
    name: 'proxy: "env", origin in NO_PROXY',
    client: createClient({
      connections: CONNECTIONS,
      proxy: { from: "env", env: { http_proxy: "http://127.0.0.1:9", no_proxy: "127.0.0.1" } },
    }),
    baseline: "core",
  },
  {
    name: "core, otel() idle elsewhere",
    client: plain,
    baseline: "core",
    before: () => startTracing(false),
    after: stopTracing,
  },
  {
    name: "core, otel() busy elsewhere",
    client: plain,
    baseline: "core",
    before: () => startTracing(true),
    after: stopTracing,
  },
  {
    name: "otel(), no-op providers",
    client: traced,
    baseline: "one pass-through middleware",
    before: () => startTracing(false),
    after: stopTracing,
  },
  {
    name: "ssrf, origin allow-listed",
    client: createClient({ connections: CONNECTIONS, middleware: [guard], lookup: guard.lookup }),
    baseline: "one pass-through middleware",
  },
];
const clientOf = (name: Contender["baseline"]) => (name === "core" ? core : passClient);
const call = (client: ReturnType<typeof createClient>) => async () =>
  void (await (await client.request(origin.url)).discard());

interface Pair {
  readonly round: Round;
  readonly base: Round;
}
const pairs = new Map<string, Pair[]>(contenders.map((c) => [c.name, []]));
const started = performance.now();
try {
  // Warm-up: JIT, connection pools.
  for (const client of [core, passClient]) await measure(call(client), 2000, CONNECTIONS);
  for (const c of contenders) {
    await c.before?.();
    await measure(call(c.client), 2000, CONNECTIONS);
    await c.after?.();
  }
  for (let r = 0; r < rounds; r++) {
    const shift = r % contenders.length;
    for (const c of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
      const base = call(clientOf(c.baseline));
      const own = call(c.client);
      for (let i = 0; i < PAIRS; i++) {
        await c.before?.();
        // Unmeasured: reopens sockets a reload or an idle spell let go.
        await measure(base, CONNECTIONS * 2, CONNECTIONS);
        await measure(own, CONNECTIONS * 2, CONNECTIONS);
        const baseFirst = (r + i) % 2 === 0;
        const first = await measure(baseFirst ? base : own, requests, CONNECTIONS);
        const second = await measure(baseFirst ? own : base, requests, CONNECTIONS);
        await c.after?.();
        pairs.get(c.name)!.push(baseFirst ? { base: first, round: second } : { base: second, round: first });
      }
    }
  }
} finally {
  await stopTracing();
  for (const client of [core, passClient, traced, holder, ...contenders.map((c) => c.client)])
    await client.close();
  await origin.close();
}

console.table(
  contenders.map(({ name, baseline }) => {
    const list = pairs.get(name)!;
    return {
      name,
      vs: baseline,
      "req/s": median(list.map((p) => p.round.requestsPerSecond)).toFixed(0),
      "x vs": median(list.map((p) => p.round.requestsPerSecond / p.base.requestsPerSecond)).toFixed(3),
      "CPU µs/req": median(list.map((p) => p.round.cpuMicros)).toFixed(1),
      "vs CPU µs/req": median(list.map((p) => p.base.cpuMicros)).toFixed(1),
      "CPU x vs": median(list.map((p) => p.round.cpuMicros / p.base.cpuMicros)).toFixed(3),
    };
  }),
);
console.log(
  `${rounds} rounds x ${PAIRS} pairs of ${requests} requests per contender, ${CONNECTIONS} in flight, ` +
    `${((performance.now() - started) / 1000).toFixed(0)} s; medians of paired ratios ("x vs": ` +
    `req/s over the baseline slice next to it, target >= 0.97; "CPU x vs": CPU per request over it)`,
);
