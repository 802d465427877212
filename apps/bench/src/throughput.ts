import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient, type Middleware } from "@switchyard/core";
import { Agent, request } from "undici";
import { measure, median, type Round } from "./measure.ts";

/** A client under test: one call to the benchmark origin, body consumed. */
export type Contender = {
  readonly name: string;
  readonly call: () => Promise<void>;
  readonly close: () => Promise<void>;
};

/** Options of {@link runThroughput}. */
export interface ThroughputOptions {
  readonly rounds: number;
  readonly requestsPerRound: number;
  readonly connections: number;
  /** Extra contenders built against the origin URL (plugins, peers). */
  readonly extra?: (url: string, connections: number) => Promise<Contender[]>;
}

/** Per contender: medians over rounds, and the ratio to bare undici from the same rounds. */
export interface ThroughputResult {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly cpuMicros: number;
  /** Median over rounds of (this contender's req/s / bare undici's req/s in that round). */
  readonly ratio: number;
  /** Median over rounds of (bare undici's CPU per request / this contender's). */
  readonly cpuRatio: number;
}

const passThrough = (i: number): Middleware => ({
  name: `pass-${i}`,
  stage: "send",
  handle: (req, next) => next(req),
});

/** Measures contenders against one origin in a separate process, rounds interleaved. */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult[]> {
  const server = fork(fileURLToPath(new URL("./server.ts", import.meta.url)), {
    stdio: "ignore",
    serialization: "json",
  } as never);
  const port = await new Promise<number>((resolve, reject) => {
    server.once("message", (p) => resolve(p as number));
    server.once("error", reject);
  });
  const url = `http://127.0.0.1:${port}/`;
  const agent = new Agent({ connections: options.connections });
  const core = createClient({ connections: options.connections });
  const naive = createClient({
    connections: options.connections,
    order: "as-given",
    middleware: Array.from({ length: 8 }, (_, i) => ({
      ...passThrough(i),
      handle: async (req, next) => await next(req),
    })),
  });
  const contenders: Contender[] = [
    {
      name: "undici.request (bare)",
      call: async () => {
        const res = await request(url, { dispatcher: agent });
        await res.body.dump();
      },
      close: () => agent.close(),
    },
    {
      name: "core, no middleware",
      call: async () => {
        await (await core.request(url)).discard();
      },
      close: () => core.close(),
    },
    {
      name: "core, 8 naive async pass-through",
      call: async () => {
        await (await naive.request(url)).discard();
      },
      close: () => naive.close(),
    },
    ...((await options.extra?.(url, options.connections)) ?? []),
  ];
  const rounds = new Map<string, Round[]>(contenders.map((c) => [c.name, []]));
  try {
    for (const c of contenders)
      await measure(c.call, Math.min(2000, options.requestsPerRound), options.connections);
    for (let r = 0; r < options.rounds; r++) {
      for (const c of contenders)
        rounds.get(c.name)!.push(await measure(c.call, options.requestsPerRound, options.connections));
    }
  } finally {
    for (const c of contenders) await c.close();
    server.disconnect();
  }
  const bare = rounds.get(contenders[0]!.name)!;
  return contenders.map((c) => {
    const mine = rounds.get(c.name)!;
    return {
      name: c.name,
      requestsPerSecond: median(mine.map((m) => m.requestsPerSecond)),
      cpuMicros: median(mine.map((m) => m.cpuMicros)),
      ratio: median(mine.map((m, i) => m.requestsPerSecond / bare[i]!.requestsPerSecond)),
      cpuRatio: median(mine.map((m, i) => bare[i]!.cpuMicros / m.cpuMicros)),
    };
  });
}
