// Buckets grow by 10 % from 0.1 ms: the quantile is known within 10 %, and 160 buckets reach past
// four minutes. Two windows of `windowSize` samples: the older one is dropped when the newer fills,
// so the distribution follows the origin as it changes while never forgetting everything at once.
const BASE_MS = 0.1;
const GROWTH = 1.1;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 160;

/** The upper bound of bucket `i`, in milliseconds. */
function upperBound(i: number): number {
  return BASE_MS * GROWTH ** (i + 1);
}

/**
 * A bounded, log-bucketed latency histogram: recording is O(1) without allocation, a quantile is
 * one pass over 160 counters (cached until the next sample), memory is fixed whatever the traffic.
 */
export class LatencyHistogram {
  readonly #windowSize: number;
  #current = new Uint32Array(BUCKETS);
  #previous = new Uint32Array(BUCKETS);
  #currentCount = 0;
  #previousCount = 0;
  readonly #cache = new Map<number, number>();

  constructor(windowSize: number) {
    this.#windowSize = windowSize;
  }

  /** Samples held (both windows). */
  get count(): number {
    return this.#currentCount + this.#previousCount;
  }

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const v = Number.isNaN(ms) ? BASE_MS : Math.max(ms, BASE_MS);
    const i = Math.min(BUCKETS - 1, Math.max(0, Math.ceil(Math.log(v / BASE_MS) / LOG_GROWTH) - 1));
    if (this.#currentCount >= this.#windowSize) {
      const spare = this.#previous;
      spare.fill(0);
      this.#previous = this.#current;
      this.#previousCount = this.#currentCount;
      this.#current = spare;
      this.#currentCount = 0;
    }
    this.#current[i]!++;
    this.#currentCount++;
    this.#cache.clear();
  }

  /**
   * The latency at quantile `q` (0 < q < 1), in milliseconds: the upper bound of the bucket it
   * falls in (at most 10 % above the true value). Undefined when nothing was recorded.
   */
  quantile(q: number): number | undefined {
    const cached = this.#cache.get(q);
    if (cached !== undefined) return cached;
    const total = this.count;
    if (total === 0) return undefined;
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#current[i]! + this.#previous[i]!;
      if (seen >= rank) {
        const value = upperBound(i);
        this.#cache.set(q, value);
        return value;
      }
    }
    return upperBound(BUCKETS - 1);
  }
}
