/** The numbers an {@link AdaptiveRate} works with (validated by the factory). */
export interface AdaptiveRateSettings {
  /** The configured ceiling in requests per second; `Infinity` when only the server sets limits. */
  readonly ceiling: number;
  /** Multiplier applied to the rate on a throttle (0 < beta < 1). */
  readonly beta: number;
  /** Requests per second added back per second without a throttle; undefined: 5 % of the throttled rate, at least 0.5. */
  readonly increase: number | undefined;
  /** The rate never goes below this (requests per second). */
  readonly minRate: number;
}

// The send rate is measured in half-second slices, smoothed (as the AWS SDK's adaptive mode does).
const SLICE_MS = 500;
const SMOOTH = 0.8;

/**
 * The sending rate of one origin, pure (time passed in). It starts at the ceiling (no limit at all
 * when none is configured, so an origin that never throttles costs nothing). A throttle multiplies
 * the rate by `beta`, from the lower of the current rate and the measured send rate (the rate the
 * server actually refused), never below `minRate`. Each success then adds `increase` requests per
 * second for every second since the last change (additive recovery), until the rate is back where
 * it was throttled; past that point an unconfigured origin is unlimited again, a configured one
 * sits at its ceiling. The AWS SDK's adaptive mode recovers along a cubic curve instead; additive
 * recovery is easier to predict and to test, and reaches the same point.
 */
export class AdaptiveRate {
  /** Requests per second allowed now (`Infinity`: no limit). */
  rate: number;
  /** Measured send rate (requests per second, smoothed). */
  measured = 0;
  /** The rate at the last throttle, where recovery stops. */
  recoverTo: number;
  /** How many throttles were seen. */
  throttles = 0;
  /** The server's own quota (from `RateLimit-Policy`), when it told one. */
  learnedCeiling: number = Number.POSITIVE_INFINITY;
  readonly #s: AdaptiveRateSettings;
  #lastChange = 0;
  #step = 0.5;
  #slice = -1;
  #sliceCount = 0;

  constructor(settings: AdaptiveRateSettings) {
    this.#s = settings;
    this.rate = settings.ceiling;
    this.recoverTo = settings.ceiling;
  }

  /** Counts one request sent at `now` towards the measured rate. */
  recordSend(now: number): void {
    const slice = Math.floor(now / SLICE_MS);
    if (slice !== this.#slice) {
      if (this.#slice >= 0) {
        // Slices with no request in between count as zero.
        const idle = Math.min(slice - this.#slice - 1, 20);
        this.measured = this.#sliceCount * (1000 / SLICE_MS) * (1 - SMOOTH) + this.measured * SMOOTH;
        this.measured *= SMOOTH ** idle;
      }
      this.#slice = slice;
      this.#sliceCount = 0;
    }
    this.#sliceCount++;
  }

  /** A 429/503 at `now`: multiplicative decrease. Returns the rate before. */
  throttle(now: number): number {
    const before = this.rate;
    const current = this.#currentSendRate();
    // Nothing measured yet (the first answer was a throttle): cut from the configured rate.
    const base = Number.isFinite(this.rate)
      ? current > 0
        ? Math.min(this.rate, current)
        : this.rate
      : current > 0
        ? current
        : this.#s.minRate;
    this.recoverTo = Math.min(Number.isFinite(before) ? before : base, this.#ceiling());
    this.rate = Math.max(this.#s.minRate, base * this.#s.beta);
    this.#step = this.#s.increase ?? Math.max(0.5, this.recoverTo * 0.05);
    this.throttles++;
    this.#lastChange = now;
    return before;
  }

  /**
   * An answer that was not a throttle: additive increase. Returns "recovered" when this brought the
   * rate back to where it was throttled (or to the ceiling).
   */
  success(now: number): "recovered" | undefined {
    if (!Number.isFinite(this.rate)) return undefined;
    const ceiling = this.#ceiling();
    if (this.rate >= ceiling) return undefined;
    const elapsed = Math.max(0, now - this.#lastChange) / 1000;
    this.#lastChange = now;
    this.rate = Math.min(this.rate + this.#step * elapsed, ceiling);
    if (this.rate < Math.min(this.recoverTo, ceiling)) return undefined;
    // Back where it was throttled: an origin without a configured or learned limit is free again.
    this.rate = Number.isFinite(ceiling) ? ceiling : Number.POSITIVE_INFINITY;
    this.recoverTo = this.rate;
    return "recovered";
  }

  /** The server published its quota (`limit` per `windowMs`): recovery never plans to send faster. */
  learnQuota(limit: number, windowMs: number, now: number): void {
    const quota = Math.max(this.#s.minRate, (limit * 1000) / windowMs);
    this.learnedCeiling = quota;
    // Only an origin already being paced is slowed: an unlimited one relies on `remaining: 0`.
    if (Number.isFinite(this.rate) && this.rate > quota) {
      this.rate = quota;
      this.#lastChange = now;
    }
  }

  #ceiling(): number {
    return Math.min(this.#s.ceiling, this.learnedCeiling);
  }

  // The measured rate, or what the current slice says when it is higher (a burst not smoothed in yet).
  #currentSendRate(): number {
    const fresh = this.#sliceCount * (1000 / SLICE_MS);
    return Math.max(this.measured, fresh);
  }
}
