import { type StateStoreGuard, stateKey } from "@switchyard/core";
import type { WindowCounts } from "./sliding-window.ts";

/** One slice of the window: what the fleet counted (as last heard) and what this process has not told yet. */
interface Slice {
  epoch: number;
  /** The fleet's counts for this slice as the store last answered (ours included). */
  fleetTotal: number;
  fleetFailures: number;
  /** Counted here and sent, answer not back yet. */
  sentTotal: number;
  sentFailures: number;
  /** Counted here, not sent yet. */
  total: number;
  failures: number;
  /** What this slice held when the circuit cleared its window in it (not counted any more). */
  baseTotal: number;
  baseFailures: number;
}

/**
 * A sliding window whose counts are the fleet's: outcomes are recorded here at once (the request
 * path never waits), and sent to the store in the background as per-slice counters
 * (`increment("breaker:total:<hash of key, slice>")` and `breaker:failures:...`, each living as
 * long as its slice is in the window). Each answer is the fleet's count for that slice, so
 * `counts()` sums what the fleet recorded (as last heard) plus what this process has not sent yet.
 * One flush per circuit is in flight at a time; outcomes recorded meanwhile go with the next one.
 * A store that fails keeps the outcomes here (they go with a later flush while their slice is in
 * the window), so a dead store leaves the breaker exactly as local as without one.
 *
 * Slices are numbered from each host's clock (`now / sliceMs`); hosts whose clocks differ by less
 * than a slice count into neighbouring slices, which moves outcomes by at most one slice.
 */
export class SharedWindow {
  readonly #guard: StateStoreGuard;
  readonly #key: string;
  readonly #sliceMs: number;
  readonly #ttlMs: number;
  readonly #slices: Slice[];
  readonly #onUpdate: () => void;
  readonly #now: () => number;
  /** Slices up to this epoch are ignored (the circuit cleared its window then). */
  #clearedThrough = -1;
  #flushing = false;

  constructor(
    guard: StateStoreGuard,
    key: string,
    windowMs: number,
    buckets: number,
    now: () => number,
    onUpdate: () => void,
  ) {
    this.#now = now;
    this.#guard = guard;
    this.#key = key;
    this.#sliceMs = windowMs / buckets;
    this.#ttlMs = Math.ceil(windowMs + this.#sliceMs);
    this.#slices = Array.from({ length: buckets }, () => ({
      epoch: -1,
      fleetTotal: 0,
      fleetFailures: 0,
      sentTotal: 0,
      sentFailures: 0,
      total: 0,
      failures: 0,
      baseTotal: 0,
      baseFailures: 0,
    }));
    this.#onUpdate = onUpdate;
  }

  /** Records one outcome at `now` (epoch ms) here, and starts a background flush if none is running. */
  record(now: number, failed: boolean): void {
    const slice = this.#slice(Math.floor(now / this.#sliceMs));
    slice.total += 1;
    if (failed) slice.failures += 1;
    if (!this.#flushing) void this.#flush(now);
  }

  /** The fleet's outcomes in the window that ends at `now` (as last heard), plus this process's unsent ones. */
  counts(now: number): WindowCounts {
    const epoch = Math.floor(now / this.#sliceMs);
    const oldest = Math.max(epoch - this.#slices.length + 1, this.#clearedThrough + 1);
    let total = 0;
    let failures = 0;
    for (const s of this.#slices) {
      if (s.epoch >= oldest && s.epoch <= epoch) {
        total += Math.max(0, s.fleetTotal + s.sentTotal + s.total - s.baseTotal);
        failures += Math.max(0, s.fleetFailures + s.sentFailures + s.failures - s.baseFailures);
      }
    }
    return { total, failures };
  }

  /**
   * Forgets every outcome up to now: the circuit opened or closed. Earlier slices are no longer
   * read; in the current one, what it held so far is set aside, so only later outcomes count.
   * Unsent outcomes still go to the store (the fleet counts them).
   */
  clear(now: number): void {
    const epoch = Math.floor(now / this.#sliceMs);
    this.#clearedThrough = epoch - 1;
    const s = this.#slice(epoch);
    s.baseTotal = s.fleetTotal + s.sentTotal + s.total;
    s.baseFailures = s.fleetFailures + s.sentFailures + s.failures;
  }

  #slice(epoch: number): Slice {
    const s = this.#slices[epoch % this.#slices.length] as Slice;
    if (s.epoch !== epoch) {
      s.epoch = epoch;
      s.fleetTotal = s.fleetFailures = s.sentTotal = s.sentFailures = s.total = s.failures = 0;
      s.baseTotal = s.baseFailures = 0;
    }
    return s;
  }

  async #flush(now: number): Promise<void> {
    this.#flushing = true;
    try {
      const oldest = Math.floor(now / this.#sliceMs) - this.#slices.length + 1;
      let heard = false;
      let failed = false;
      for (const s of this.#slices) {
        if (s.epoch < oldest || s.total === 0) continue;
        const epoch = s.epoch;
        s.sentTotal = s.total;
        s.sentFailures = s.failures;
        s.total = s.failures = 0;
        const [total, failures] = await Promise.all([
          this.#increment("breaker:total", epoch, s.sentTotal),
          s.sentFailures === 0
            ? Promise.resolve(s.fleetFailures)
            : this.#increment("breaker:failures", epoch, s.sentFailures),
        ]);
        if (s.epoch !== epoch) continue; // the slot moved on meanwhile: that slice left the window
        if (total === undefined || failures === undefined) {
          // Not told: keep them here for a later flush (still counted meanwhile).
          s.total += s.sentTotal;
          s.failures += s.sentFailures;
          failed = true;
        } else {
          // The store's answer is the fleet's count for the slice, ours included.
          s.fleetTotal = Math.max(s.fleetTotal + s.sentTotal, total);
          s.fleetFailures = Math.max(s.fleetFailures + s.sentFailures, failures);
          heard = true;
        }
        s.sentTotal = s.sentFailures = 0;
      }
      if (heard) this.#onUpdate();
      if (failed) return;
    } finally {
      this.#flushing = false;
    }
    // Outcomes recorded during the flush go now (the loop ends when nothing is pending).
    if (this.#slices.some((s) => s.total > 0)) void this.#flush(this.#now());
  }

  #increment(kind: string, epoch: number, by: number): Promise<number | undefined> {
    const key = stateKey(kind, this.#key, String(epoch));
    return this.#guard.run("increment", (store) => store.increment(key, by, this.#ttlMs), undefined);
  }
}
