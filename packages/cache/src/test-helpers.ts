import diagnosticsChannel from "node:diagnostics_channel";
import type { Middleware } from "@switchyard/core";
import { createClient } from "@switchyard/core";
import type { CacheMiddleware } from "./cache.ts";
import { cache } from "./cache.ts";
import type { CacheOptions } from "./cache-options.ts";
import { memoryStore } from "./memory-store.ts";

/** A clock the test moves by hand. */
export function manualClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** A client with a cache (memory store unless options say otherwise) and any other middleware. */
export function cachedClient(
  options: Partial<CacheOptions> = {},
  more: Middleware[] = [],
): { client: ReturnType<typeof createClient>; cached: CacheMiddleware } {
  const cached = cache({ store: memoryStore(), ...options } as CacheOptions);
  return { client: createClient({ middleware: [...more, cached] }), cached };
}

/** Collects the cache's events by name while `run` runs. */
export async function collectEvents<T>(
  run: () => Promise<T>,
): Promise<{ result: T; events: [string, object][] }> {
  const events: [string, object][] = [];
  const names = ["hit", "stale", "miss", "revalidated", "stored", "evicted", "error"];
  const listeners = names.map((name) => {
    const listener = (message: unknown): void => void events.push([name, message as object]);
    diagnosticsChannel.subscribe(`switchyard:cache:${name}`, listener);
    return [name, listener] as const;
  });
  try {
    return { result: await run(), events };
  } finally {
    for (const [name, listener] of listeners)
      diagnosticsChannel.unsubscribe(`switchyard:cache:${name}`, listener);
  }
}
