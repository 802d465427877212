import http from "node:http";
import { createClient, type HttpResponse, type Middleware, type StateStore } from "@switchyard/core";
import axios from "axios";
import got from "got";
import ky from "ky";
import { ofetch } from "ofetch";
import { Agent, request, fetch as undiciFetch } from "undici";
import { allSevenAsUsersConfigure, allSevenPlugins } from "./all-plugins.ts";
import { dispatchGetter } from "./dispatch-get.ts";
import { drain } from "./drain.ts";

/**
 * How the undici and Switchyard contenders read a body: `whole` as most programs do (`text()`,
 * `json()`, `arrayBuffer()`: undici's `res.body.arrayBuffer()`, Switchyard's `res.arrayBuffer()`,
 * as every peer reads it), or `stream` through the Node stream to its end (`drain`).
 */
export type BodyRead = "whole" | "stream";

/** A client under test: one GET of the benchmark origin, body read to the end. */
export interface Contender {
  readonly name: string;
  /** Whether this is one of Switchyard's own clients (targets apply to those). */
  readonly kind: "limit" | "switchyard" | "peer" | "reference";
  readonly call: () => Promise<void>;
  readonly close: () => Promise<void>;
}

/** Contender names, in table order; the first is the limit every ratio is taken against. */
export const CONTENDERS = [
  "undici.request (bare)",
  "core, no middleware",
  "core, all seven plugins",
  "core, 8 naive async pass-through",
  "client.fetch (core)",
  "undici fetch",
  "global fetch (Node)",
  "got",
  "axios (keep-alive agent)",
  "ky",
  "ofetch",
  "undici dispatch (floor)",
  "core, all seven as users configure them",
  "core, all seven plugins, Redis store",
] as const;

/** The contender that needs a running redis-server; absent when none could be started. */
export const REDIS_CONTENDER: (typeof CONTENDERS)[13] = CONTENDERS[13];

/** Reads a Switchyard response's body to its end, the `read` way. */
function readerOf(read: BodyRead): (response: HttpResponse) => Promise<unknown> {
  return read === "whole" ? (response) => response.arrayBuffer() : (response) => drain(response.body);
}

/**
 * Builds every contender against `url` with `connections` sockets each where the client allows it;
 * the Redis-store contender only when `stateStore` is given (a store on a running redis-server).
 * With `read: "stream"`, only the contenders that hand out a Node stream are built (the peers read
 * bodies whole in either case).
 */
export function buildContenders(
  url: string,
  connections: number,
  stateStore?: StateStore,
  read: BodyRead = "whole",
): Contender[] {
  const readBody = readerOf(read);
  const origin = new URL(url).origin;
  // Idle sockets are kept as long as the origin keeps them (60 s) by every client that can be told
  // so: a round of the other contenders takes seconds, longer than undici's default 4 s.
  const pool = { connections, keepAliveTimeout: 60_000 };
  const agent = new Agent(pool);
  const fetchAgent = new Agent(pool);
  const core = createClient(pool);
  const seven = createClient({ ...pool, middleware: allSevenPlugins(origin) });
  const naive = createClient({
    ...pool,
    order: "as-given",
    middleware: Array.from(
      { length: 8 },
      (_, i): Middleware => ({
        name: `naive-${i}`,
        stage: "send",
        handle: async (req, next) => await next(req),
      }),
    ),
  });
  const fetchClient = createClient(pool);
  const dispatchAgent = new Agent(pool);
  const users = createClient({ ...pool, middleware: allSevenAsUsersConfigure() });
  const gotAgent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const gotClient = got.extend({ agent: { http: gotAgent }, retry: { limit: 0 } });
  const axiosAgent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const axiosClient = axios.create({ httpAgent: axiosAgent, responseType: "text" });
  const all: Contender[] = [
    {
      name: CONTENDERS[0],
      kind: "limit",
      call: async () => {
        const res = await request(url, { dispatcher: agent });
        if (read === "whole") await res.body.arrayBuffer();
        else await drain(res.body);
      },
      close: () => agent.close(),
    },
    {
      name: CONTENDERS[1],
      kind: "switchyard",
      call: async () => {
        await readBody(await core.request(url));
      },
      close: () => core.close(),
    },
    {
      name: CONTENDERS[2],
      kind: "switchyard",
      call: async () => {
        await readBody(await seven.request(url));
      },
      close: () => seven.close(),
    },
    {
      name: CONTENDERS[3],
      kind: "reference",
      call: async () => {
        await readBody(await naive.request(url));
      },
      close: () => naive.close(),
    },
    {
      name: CONTENDERS[4],
      kind: "switchyard",
      call: async () => {
        await (await fetchClient.fetch(url)).arrayBuffer();
      },
      close: () => fetchClient.close(),
    },
    {
      name: CONTENDERS[5],
      kind: "peer",
      call: async () => {
        await (await undiciFetch(url, { dispatcher: fetchAgent })).arrayBuffer();
      },
      close: () => fetchAgent.close(),
    },
    {
      name: CONTENDERS[6],
      kind: "peer",
      call: async () => {
        await (await globalThis.fetch(url)).arrayBuffer();
      },
      close: async () => {},
    },
    {
      name: CONTENDERS[7],
      kind: "peer",
      call: async () => {
        await gotClient(url).text();
      },
      close: async () => gotAgent.destroy(),
    },
    {
      name: CONTENDERS[8],
      kind: "peer",
      call: async () => {
        await axiosClient.get(url);
      },
      close: async () => axiosAgent.destroy(),
    },
    {
      name: CONTENDERS[9],
      kind: "peer",
      call: async () => {
        await ky.get(url, { retry: 0 }).arrayBuffer();
      },
      close: async () => {},
    },
    {
      name: CONTENDERS[10],
      kind: "peer",
      call: async () => {
        await ofetch(url, { responseType: "arrayBuffer", retry: 0 });
      },
      close: async () => {},
    },
    {
      name: CONTENDERS[11],
      kind: "reference",
      call: dispatchGetter(dispatchAgent, url),
      close: () => dispatchAgent.close(),
    },
    {
      name: CONTENDERS[12],
      kind: "switchyard",
      call: async () => {
        await readBody(await users.request(url));
      },
      close: () => users.close(),
    },
    ...(stateStore === undefined ? [] : [redisContender(url, pool, stateStore, readBody)]),
  ];
  return read === "whole" ? all : all.filter((c) => STREAM_CONTENDERS.has(c.name));
}

/** The contenders that hand out a Node stream, measured again with `read: "stream"`. */
const STREAM_CONTENDERS = new Set<string>([
  CONTENDERS[0],
  CONTENDERS[1],
  CONTENDERS[2],
  CONTENDERS[3],
  CONTENDERS[12],
  CONTENDERS[13],
]);

function redisContender(
  url: string,
  pool: { connections: number; keepAliveTimeout: number },
  stateStore: StateStore,
  readBody: (response: HttpResponse) => Promise<unknown>,
): Contender {
  const client = createClient({ ...pool, middleware: allSevenPlugins(new URL(url).origin, stateStore) });
  return {
    name: REDIS_CONTENDER,
    kind: "switchyard",
    call: async () => {
      await readBody(await client.request(url));
    },
    close: () => client.close(),
  };
}
