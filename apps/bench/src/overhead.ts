// The JavaScript cost of the chain alone: core and each plugin over a fake dispatcher that answers
// at once (no socket, no parser), so the figures are not drowned by I/O and scheduling noise.
// `node src/overhead.ts [rounds] [calls]`; profile with `node --cpu-prof src/overhead.ts`.
import { Readable } from "node:stream";
import { type Client, createClient } from "@switchyard/core";
import type { Dispatcher } from "undici";
import { allSevenPlugins } from "./all-plugins.ts";
import { median } from "./measure.ts";

const rounds = Number(process.argv[2] ?? 5);
const calls = Number(process.argv[3] ?? 200_000);
const origin = "http://127.0.0.1:8080";

/** A body that is already over: what undici's dump() sees for a 2-byte answer read to the end. */
class DoneBody extends Readable {
  override _read(): void {}
  dump(): Promise<void> {
    return Promise.resolve();
  }
  text(): Promise<string> {
    return Promise.resolve("ok");
  }
}
const body = new DoneBody();
const answer = {
  statusCode: 200,
  headers: { "content-length": "2" },
  body,
  trailers: {},
  opaque: null,
  context: {},
};
const fake = {
  request: (_options: unknown, callback?: (error: null, data: typeof answer) => void) => {
    if (callback === undefined) return Promise.resolve(answer);
    callback(null, answer);
  },
  close: () => Promise.resolve(),
  destroy: () => Promise.resolve(),
} as unknown as Dispatcher;

const clients: [string, Client][] = [
  ["core", createClient({ dispatcher: fake })],
  ...allSevenPlugins(origin).map((m): [string, Client] => [
    `+ ${m.name}`,
    createClient({ dispatcher: fake, middleware: [m] }),
  ]),
  ["all seven", createClient({ dispatcher: fake, middleware: allSevenPlugins(origin) })],
];
const ns = new Map<string, number[]>(clients.map(([name]) => [name, []]));
for (let r = -1; r < rounds; r++) {
  for (const [name, client] of clients) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) await (await client.request(`${origin}/`)).discard();
    const cpu = process.cpuUsage(cpu0);
    if (r >= 0) ns.get(name)!.push(((cpu.user + cpu.system) * 1000) / calls);
  }
}
const base = median(ns.get("core")!);
console.table(
  clients.map(([name]) => {
    const m = median(ns.get(name)!);
    return { name, "ns/call": Math.round(m), "+ns over core": Math.round(m - base) };
  }),
);
for (const [, client] of clients) await client.close();
