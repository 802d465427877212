import { getEventListeners } from "node:events";
import { createClient } from "@switchyard/core";
import type { CheckContext } from "../check-context.ts";
import { settle } from "../settle.ts";

type Counts = Map<string, number>;

function activeResources(): Counts {
  const counts: Counts = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function processListeners(): Counts {
  const counts: Counts = new Map();
  for (const name of process.eventNames()) counts.set(String(name), process.listenerCount(name));
  return counts;
}

function grown(before: Counts, after: Counts): string[] {
  const out: string[] = [];
  for (const [name, n] of after) {
    const was = before.get(name) ?? 0;
    if (n > was) out.push(`${name} ${was} -> ${n}`);
  }
  return out;
}

/**
 * After a few calls (a GET read to the end, a POST, a call the server fails, a body discarded)
 * and `client.close()`, nothing the middleware started is left: the signal passed with each call
 * has no abort listener left once the call is done, the process has no more event listeners, and
 * `process.getActiveResourcesInfo()` (timers, sockets, handles keeping the event loop alive)
 * returns to what it was before, each within `quietWithin` ms. A warm-up call through core alone, closed
 * before the baseline, keeps core's and undici's lazily created resources out of the comparison.
 * Unref'd timers do not keep the loop alive and are not seen.
 */
export async function checkNoLeftovers(ctx: CheckContext): Promise<void> {
  const warm = createClient(ctx.options.client);
  await (await warm.request(ctx.server.url("ok"))).text();
  await warm.close();
  const within = ctx.options.quietWithin;
  await quiet(within, () => ctx.server.connections === 0);

  const resourcesBefore = activeResources();
  const listenersBefore = processListeners();
  const controller = new AbortController();
  const { signal } = controller;
  const signalListeners = (): number => getEventListeners(signal, "abort").length;
  const client = ctx.client();

  const calls: [string, () => Promise<unknown>][] = [
    ["a GET read to the end", async () => (await client.request(ctx.url("ok"), { signal })).text()],
    [
      "a POST read to the end",
      async () =>
        (
          await client.request(ctx.url("upload"), { method: "POST", body: new Uint8Array(65536), signal })
        ).text(),
    ],
    ["a call the server fails", () => client.request(ctx.url("close"), { signal })],
    [
      "a body discarded",
      async () =>
        (
          await client.request(ctx.url("download", { query: { size: String(1024 * 1024) } }), { signal })
        ).discard(),
    ],
  ];
  for (const [what, call] of calls) {
    await settle(call());
    // undici removes its own listener when the body stream closes, a tick after it ends.
    const left = await quiet(within, () => signalListeners() === 0);
    if (!left) {
      ctx.fail(
        `${within} ms after ${what}, the call's signal still has ${signalListeners()} abort listener(s): remove them when the call settles`,
      );
    }
  }
  ctx.forget(client);
  await client.close();

  const extra = await quiet(within, () => grown(resourcesBefore, activeResources()));
  if (extra.length > 0) {
    ctx.fail(
      `${within} ms after the calls and client.close(), more resources keep the event loop alive than before: ${extra.join(", ")}. Clear timers and close what the middleware opened when the call settles`,
    );
  }
  const moreListeners = grown(listenersBefore, processListeners());
  if (moreListeners.length > 0) {
    ctx.fail(`the process has more event listeners than before the calls: ${moreListeners.join(", ")}`);
  }
}

/** Polls `probe` every 10 ms until it reports nothing (true / empty), for at most `ms`. */
async function quiet<T extends boolean | string[]>(ms: number, probe: () => T): Promise<T> {
  const deadline = performance.now() + ms;
  let result = probe();
  while (
    !(result === true || (Array.isArray(result) && result.length === 0)) &&
    performance.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    result = probe();
  }
  return result;
}
