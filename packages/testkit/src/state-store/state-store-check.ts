import type { StateStoreTarget } from "./state-store-target.ts";

/** One conformance check: what it proves and what the target must offer for it to run. */
export interface StateStoreCheck {
  readonly id: string;
  readonly title: string;
  /** `worker`: child processes can open the store; `hang`/`crash`: the target can be taken down. */
  readonly needs?: "worker" | "hang" | "crash";
  run(target: StateStoreTarget): Promise<void>;
}

/** Waits `ms` of real time: only ever to let a TTL run out, never to assert how long something took. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` every `everyMs` until it answers true or `withinMs` passed; answers the last result. */
export async function eventually(
  probe: () => Promise<boolean> | boolean,
  withinMs = 5000,
  everyMs = 20,
): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= until) return false;
    await pause(everyMs);
  }
}

/**
 * Waits until `listener`'s subscription on `reader` delivers: writes `probeKey` through `writer`
 * every 200 ms until `seen` holds a change of it (bounded: 10 s). A subscription may take a moment
 * to reach the server (pub/sub confirms asynchronously, a Cluster first finds a node), and changes
 * before that are lost, which the contract allows (at-most-once).
 */
export async function settleSubscription(
  writer: { set(key: string, value: string, ttlMs: number): Promise<void> },
  seen: readonly { key: string }[],
  probeKey: string,
): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    await writer.set(probeKey, String(i), 60_000);
    if (await eventually(() => seen.some((c) => c.key === probeKey), 200, 10)) return true;
  }
  return false;
}
