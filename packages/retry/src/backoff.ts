/**
 * How a backoff delay is randomised.
 *
 * - `full`: uniform in [0, d] (AWS "full jitter": spreads a herd of clients the most).
 * - `bounded`: uniform in [minDelay, d] (reqwest-retry's bounded jitter: never shorter than the floor).
 * - `none`: exactly d.
 */
export type Jitter = "full" | "bounded" | "none";

/** The numbers an exponential backoff is computed from. */
export interface BackoffSettings {
  /** Delay before the first retry, and the floor of every un-jittered delay, in milliseconds. */
  readonly minDelay: number;
  /** Ceiling of every delay, in milliseconds. */
  readonly maxDelay: number;
  /** Growth factor per retry. */
  readonly base: number;
  readonly jitter: Jitter;
}

/**
 * The delay before retry number `retry` (1 for the first retry):
 * `d = min(maxDelay, minDelay * base^(retry - 1))`, then jittered. `random` returns a number in
 * [0, 1), like `Math.random`. The result is always within [0, maxDelay] (within
 * [min(minDelay, maxDelay), maxDelay] unless the jitter is `full`).
 */
export function backoffDelay(settings: BackoffSettings, retry: number, random: () => number): number {
  const { minDelay, maxDelay, base, jitter } = settings;
  const exponent = Math.max(0, retry - 1);
  // base^exponent overflows to Infinity for large retry counts: the cap absorbs it.
  const raw = minDelay * base ** exponent;
  const capped = Math.min(maxDelay, Number.isFinite(raw) ? Math.max(raw, minDelay) : maxDelay);
  if (jitter === "none") return capped;
  const r = clampUnit(random());
  if (jitter === "full") return r * capped;
  const floor = Math.min(minDelay, capped);
  return floor + r * (capped - floor);
}

// A custom random source that strays outside [0, 1) must not push a delay outside its bounds.
function clampUnit(value: number): number {
  if (!(value > 0)) return 0;
  return Math.min(value, 1);
}
