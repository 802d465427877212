import { createClient, type Middleware } from "@switchyard/core";
import { Agent, request } from "undici";
import { allSevenPlugins } from "./src/all-plugins.ts";
import { drain } from "./src/drain.ts";
import { startOrigin } from "./src/origin.ts";

const origin = await startOrigin();
const url = origin.url;
const pool = { connections: 16, keepAliveTimeout: 60_000 };
const sync = (n: number): Middleware[] =>
  Array.from({ length: n }, (_, i) => ({ name: `s${i}`, stage: "send", handle: (r, nx) => nx(r) }));
const thenMw = (n: number): Middleware[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `t${i}`,
    stage: "send",
    handle: (r, nx) => nx(r).then((x) => x),
  }));
const agent = new Agent(pool);
const mk = (mw: Middleware[]) => {
  const c = createClient({ ...pool, middleware: mw });
  return async () => {
    const r = await c.request(url);
    await r.discard();
  };
};
const cs: [string, () => Promise<void>][] = [
  [
    "bare",
    async () => {
      const r = await request(url, { dispatcher: agent });
      await drain(r.body);
    },
  ],
  ["core", mk([])],
  ["core+1 sync", mk(sync(1))],
  ["core+4 sync", mk(sync(4))],
  ["core+1 then", mk(thenMw(1))],
  ["core+3 then", mk(thenMw(3))],
  ["seven", mk(allSevenPlugins(new URL(url).origin))],
];
const acc = new Map<string, number[]>();
async function run(call: () => Promise<void>, count: number) {
  let started = 0;
  const c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (started < count) {
        started++;
        await call();
      }
    }),
  );
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / count;
}
for (const [, c] of cs) await run(c, 5000);
const rounds = Number(process.argv[2] ?? 9);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 ? [...cs].reverse() : cs;
  for (const [n, c] of order) {
    const a = acc.get(n) ?? [];
    a.push(await run(c, 10000));
    acc.set(n, a);
  }
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const base = med(acc.get("bare")!);
for (const [n, a] of acc)
  console.log(`${n.padEnd(14)} ${med(a).toFixed(2)} µs  x${(base / med(a)).toFixed(3)}`);
await origin.close();
process.exit(0);
