import { mkdirSync } from "node:fs";
import { open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { guardStateStore, type StateStore, type StateStoreGuard, stateKey } from "@switchyard/core";

/** What {@link FleetFlights.claim} answers: this process fills (and calls `release` after), or another one does. */
export type FleetClaim = { readonly release: () => void } | "held" | undefined;

/**
 * One fill per key across processes: before a miss goes to the network, the process claims the
 * key's fill; a process that finds it claimed waits (bounded) for the holder's entry instead of
 * sending its own request. `undefined` from `claim` means "no coordination now" (the store is down,
 * the lock directory is not writable): the caller fills on its own, as without it.
 */
export interface FleetFlights {
  claim(flightKey: string): Promise<FleetClaim>;
  /** Waits until the claim on `flightKey` ends, `entryKey` is written, or `untilMs` (epoch) passes. */
  wait(flightKey: string, entryKey: string, untilMs: number): Promise<void>;
  close(): void;
}

/** How often a waiting process looks again (a notification may be lost; a lock file has none). */
const POLL_MS = 50;
const FILL = "cache:fill";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Claims through the state store's leases (`cache:fill:<hash of the flight key>`), which every
 * process of the fleet sees, on any host. Waiters wake on the entry's or the lease's change
 * notification, or every 50 ms. Store operations wait at most `timeoutMs` (core's guard: a slow or
 * dead store means "no coordination", never a failed call).
 */
export function stateStoreFlights(store: StateStore, leaseMs: number, timeoutMs: number): FleetFlights {
  const guard: StateStoreGuard = guardStateStore(store, { plugin: "cache", timeoutMs });
  const wakers = new Map<string, Set<() => void>>();
  const wake = (key: string): void => {
    for (const w of wakers.get(key) ?? []) w();
  };
  const stops = [
    guard.subscribe(`${FILL}:`, (change) => {
      if (change.kind === "delete") wake(change.key);
    }),
    guard.subscribe("cache:v1:", (change) => {
      if (change.kind === "set") wake(change.key);
    }),
  ];
  return {
    async claim(flightKey) {
      const lease = await guard.run(
        "acquireLease",
        (s) => s.acquireLease(stateKey(FILL, flightKey), leaseMs),
        null,
      );
      if (lease === null) return undefined;
      if (lease === undefined) return "held";
      return { release: () => void guard.run("release", () => lease.release(), undefined) };
    },
    async wait(flightKey, entryKey, untilMs) {
      const leaseKey = stateKey(FILL, flightKey);
      while (Date.now() < untilMs) {
        await new Promise<void>((resolve) => {
          const keys = [leaseKey, entryKey];
          const done = (): void => {
            clearTimeout(timer);
            for (const k of keys) wakers.get(k)?.delete(done);
            resolve();
          };
          const timer = setTimeout(done, Math.min(POLL_MS * 4, Math.max(1, untilMs - Date.now())));
          for (const k of keys) {
            const set = wakers.get(k) ?? new Set();
            wakers.set(k, set);
            set.add(done);
          }
        });
        for (const k of [leaseKey, entryKey]) if (wakers.get(k)?.size === 0) wakers.delete(k);
        const held = await guard.run("get", (s) => s.get(leaseKey), undefined);
        if (held === undefined) return; // released (filled or failed), expired, or the store is down
      }
    },
    close() {
      for (const stop of stops) stop();
    },
  };
}

/**
 * Claims through lock files beside the disk store (`<dir>/locks/<hash>.lock`, created with
 * `O_CREAT | O_EXCL`, which is atomic on a local filesystem): every process sharing the directory
 * sees them, with no server. A lock older than `leaseMs` belongs to a holder that died and is
 * taken over. Waiters poll every 50 ms until the file is gone.
 */
export function lockFileFlights(dir: string, leaseMs: number): FleetFlights {
  const locks = join(dir, "locks");
  let ready = false;
  const path = (flightKey: string): string =>
    join(locks, `${stateKey(FILL, flightKey).slice(FILL.length + 1)}.lock`);
  const take = async (file: string): Promise<boolean> => {
    const handle = await open(file, "wx");
    await handle.close();
    return true;
  };
  return {
    async claim(flightKey) {
      const file = path(flightKey);
      try {
        if (!ready) {
          mkdirSync(locks, { recursive: true });
          ready = true;
        }
        await take(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
        // Held: by a live holder, or by one that died (its lock outlived the lease).
        const since = await stat(file).then(
          (s) => s.mtimeMs,
          () => undefined,
        );
        if (since !== undefined && Date.now() - since < leaseMs) return "held";
        await rm(file, { force: true });
        try {
          await take(file);
        } catch {
          return "held"; // another process took it over first
        }
      }
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          void rm(file, { force: true }).catch(() => {});
        },
      };
    },
    async wait(flightKey, _entryKey, untilMs) {
      const file = path(flightKey);
      while (Date.now() < untilMs) {
        const exists = await stat(file).then(
          (s) => Date.now() - s.mtimeMs < leaseMs,
          () => false,
        );
        if (!exists) return;
        await sleep(Math.min(POLL_MS, Math.max(1, untilMs - Date.now())));
      }
    },
    close() {},
  };
}
