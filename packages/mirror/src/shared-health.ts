import { guardStateStore, type StateStore, type StateStoreGuard, stateKey } from "@switchyard/core";
import type { PoolEntry } from "./mirror-pool.ts";

/** Options of {@link SharedHealth}. */
export interface SharedHealthOptions {
  readonly store: StateStore;
  readonly cooldownMs: number;
  readonly failureDecayMs: number;
  readonly now: () => number;
  readonly timeoutMs: number | undefined;
}

const FAILURES = "mirror:failures";
const PROBE = "mirror:probe";

/**
 * Mirror health shared by a fleet through a state store, so that a failure one process sees is
 * known to all and a recovering mirror gets one probe, not one per process:
 *
 * - each failure increments the mirror's shared failure counter (a window of the cool-down or the
 *   decay period, whichever is longer); every process raises its own count to the shared one, so a
 *   mirror past `maxFailures` anywhere is skipped everywhere;
 * - when a mirror starts cooling, each process sets a timer for the end of the cool-down and then
 *   tries to take the mirror's probe lease: the one that gets it probes, the others stay cooling
 *   for another cool-down (or until the probe's success arrives);
 * - a success after failures deletes the shared counter, and every process forgives the mirror.
 *
 * Requests never wait on the store: the counter and lease calls run beside them, and other
 * processes' changes arrive by notification. Keys hash the mirror's URL.
 */
export class SharedHealth {
  readonly #guard: StateStoreGuard;
  readonly #options: SharedHealthOptions;
  readonly #keys = new WeakMap<PoolEntry, string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #contacted = new Set<string>();
  #entries: () => Iterable<PoolEntry> = () => [];

  constructor(options: SharedHealthOptions) {
    this.#options = options;
    this.#guard = guardStateStore(options.store, { plugin: "mirror", timeoutMs: options.timeoutMs });
    this.#guard.subscribe(`${FAILURES}:`, (change) => {
      const entries = this.#matching(change.key);
      if (entries.length === 0) return;
      if (change.kind === "delete") {
        for (const entry of entries) this.#forgive(entry);
        return;
      }
      void this.#guard
        .run("get", (store) => store.get(change.key), undefined)
        .then((found) => {
          if (found !== undefined) for (const entry of entries) this.#raise(entry, Number(found.value));
        });
    });
  }

  /**
   * Where the mirrors are, to apply other processes' changes to. Reads each mirror's shared count
   * once, in the background: failures recorded before this process listened reach it too.
   */
  attach(entries: () => Iterable<PoolEntry>): void {
    this.#entries = entries;
    this.contact();
  }

  /** First contact: one background read of the shared count of each mirror not read yet. */
  contact(): void {
    for (const entry of this.#entries()) {
      const key = this.#key(entry);
      if (this.#contacted.has(key)) continue;
      this.#contacted.add(key);
      void this.#guard
        .run("get", (store) => store.get(key), undefined)
        .then((found) => {
          if (found !== undefined) this.#raise(entry, Number(found.value));
        });
    }
  }

  /** This process saw `entry` fail; its local count is now `failures`. */
  failed(entry: PoolEntry, failures: number): void {
    const { cooldownMs, failureDecayMs } = this.#options;
    const window = Math.min(
      2_147_483_647,
      Math.max(cooldownMs, Number.isFinite(failureDecayMs) ? failureDecayMs : cooldownMs),
    );
    void this.#guard
      .run("increment", (store) => store.increment(this.#key(entry), 1, window), undefined)
      .then((shared) => {
        if (shared !== undefined) this.#raise(entry, shared);
      });
    if (failures >= entry.maxFailures) this.#scheduleProbe(entry);
  }

  /** This process saw `entry` answer after failures: the fleet forgives it. */
  recovered(entry: PoolEntry): void {
    void this.#guard.run("delete", (store) => store.delete(this.#key(entry)), undefined);
  }

  #key(entry: PoolEntry): string {
    let key = this.#keys.get(entry);
    if (key === undefined) {
      key = stateKey(FAILURES, entry.key);
      this.#keys.set(entry, key);
    }
    return key;
  }

  #matching(key: string): PoolEntry[] {
    const found: PoolEntry[] = [];
    for (const entry of this.#entries()) if (this.#key(entry) === key) found.push(entry);
    return found;
  }

  #raise(entry: PoolEntry, shared: number): void {
    const s = entry.state;
    if (!(shared > s.failures)) return;
    const now = this.#options.now();
    s.failures = shared;
    s.anchor = now;
    s.lastFailure = now;
    s.totalFailures++;
    if (s.failures >= entry.maxFailures) this.#scheduleProbe(entry);
  }

  #forgive(entry: PoolEntry): void {
    const s = entry.state;
    if (s.failures === 0) return;
    s.failures = 0;
    s.anchor = this.#options.now();
    s.probing = false;
  }

  #scheduleProbe(entry: PoolEntry): void {
    const key = this.#key(entry);
    if (this.#timers.has(key)) return;
    // Slightly before the cool-down ends, so the lease is usually decided before anyone may probe;
    // while it is being decided the mirror counts as probed (skipped), however slow the store.
    const timer = setTimeout(
      () => {
        this.#timers.delete(key);
        const { cooldownMs } = this.#options;
        const s = entry.state;
        const asking = !s.probing;
        if (asking) s.probing = true;
        void this.#guard
          .run("acquireLease", (store) => store.acquireLease(stateKey(PROBE, entry.key), cooldownMs), null)
          .then((lease) => {
            if (asking) s.probing = false;
            // null: the store did not answer, probe locally. A lease: this process probes.
            if (lease !== undefined) return;
            if (s.failures >= entry.maxFailures) {
              s.lastFailure = this.#options.now();
              this.#scheduleProbe(entry);
            }
          });
      },
      Math.max(0, this.#options.cooldownMs - 20),
    );
    timer.unref();
    this.#timers.set(key, timer);
  }
}
