/** Counts in a {@link SlidingWindow}, summed over the buckets still inside the window. */
export interface WindowCounts {
  readonly total: number;
  readonly failures: number;
}

/**
 * Outcomes over the last `windowMs`, kept in `buckets` fixed slices (a ring): recording is O(1)
 * and needs no allocation; a slice older than the window is reset when its slot comes round
 * again, so memory stays `buckets` pairs of numbers whatever the traffic.
 */
export class SlidingWindow {
  readonly #sliceMs: number;
  readonly #epochs: Float64Array;
  readonly #totals: Float64Array;
  readonly #failures: Float64Array;

  constructor(windowMs: number, buckets: number) {
    this.#sliceMs = windowMs / buckets;
    this.#epochs = new Float64Array(buckets).fill(-1);
    this.#totals = new Float64Array(buckets);
    this.#failures = new Float64Array(buckets);
  }

  /** Records one outcome at `now` (epoch ms). */
  record(now: number, failed: boolean): void {
    const epoch = Math.floor(now / this.#sliceMs);
    const i = epoch % this.#epochs.length;
    if (this.#epochs[i] !== epoch) {
      this.#epochs[i] = epoch;
      this.#totals[i] = 0;
      this.#failures[i] = 0;
    }
    this.#totals[i]! += 1;
    if (failed) this.#failures[i]! += 1;
  }

  /** The outcomes recorded in the window that ends at `now`. */
  counts(now: number): WindowCounts {
    const epoch = Math.floor(now / this.#sliceMs);
    const oldest = epoch - this.#epochs.length + 1;
    let total = 0;
    let failures = 0;
    for (let i = 0; i < this.#epochs.length; i++) {
      const e = this.#epochs[i]!;
      if (e >= oldest && e <= epoch) {
        total += this.#totals[i]!;
        failures += this.#failures[i]!;
      }
    }
    return { total, failures };
  }

  /** Forgets every outcome (a circuit that closes starts a fresh window); `_now` for `OutcomeWindow`. */
  clear(_now?: number): void {
    this.#epochs.fill(-1);
  }
}
