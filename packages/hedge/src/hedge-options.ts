import type { AttemptBudget, HttpRequest } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";

/** A timer seam: `set` schedules `fn` after `ms` and returns a handle for `clear`. */
export interface HedgeTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Options of {@link hedge}. */
export interface HedgeOptions {
  /**
   * The quantile of the origin's live latency (time to response headers) after which a hedge goes.
   * @default 0.95 (p95: by definition about 5 % of requests are hedged, the slowest ones)
   */
  readonly quantile?: number;
  /** A fixed delay in milliseconds instead of the live quantile (no warm-up needed). @default undefined */
  readonly delay?: number;
  /** The hedge never goes sooner than this, in milliseconds. @default 1 */
  readonly minDelay?: number;
  /** Samples an origin needs before it is hedged (a quantile of five samples means nothing). @default 20 */
  readonly minSamples?: number;
  /** Samples per window of the per-origin histogram (two windows are kept). @default 1000 */
  readonly windowSize?: number;
  /**
   * Methods that may be hedged. Hedging sends the request twice: list a non-idempotent method only
   * when the server de-duplicates it. Requests with a one-shot body are never hedged.
   * @default ["GET", "HEAD", "OPTIONS"]
   */
  readonly methods?: readonly string[];
  /** Hedges in flight at once, for the whole client. @default 10 */
  readonly maxInFlight?: number;
  /**
   * Most extra requests as a fraction of calls (a token bucket: each call earns this much, a hedge
   * costs 1, at most 10 saved up).
   * @default 0.05 (the target: at most 5 % extra load)
   */
  readonly maxExtraLoad?: number;
  /**
   * The budget each hedge is paid from (core's `AttemptBudget`; retry's `RetryBudget` is one), or
   * `false` for none. By default, the budget `@switchyard/retry` puts on the call's context
   * (`attemptBudgetKey`): a partial outage that drains retries also stops hedges.
   * @default the call's attemptBudgetKey, if any
   */
  readonly budget?: AttemptBudget | false;
  /** Only these origins are hedged; others pass through untouched. @default every origin */
  readonly origins?: readonly string[];
  /** What shares a latency distribution. @default the request's origin */
  readonly key?: (request: HttpRequest) => string | undefined;
  /** Most origins tracked (oldest forgotten first). @default 1000 */
  readonly maxOrigins?: number;
  /** The clock in milliseconds (a seam for tests). @default performance.now */
  readonly now?: () => number;
  /** The timer (a seam for tests). @default setTimeout / clearTimeout */
  readonly timers?: HedgeTimers;
}

/** Options after validation. */
export interface ResolvedHedgeOptions {
  readonly quantile: number;
  readonly delay: number | undefined;
  readonly minDelay: number;
  readonly minSamples: number;
  readonly windowSize: number;
  readonly methods: ReadonlySet<string>;
  readonly maxInFlight: number;
  readonly maxExtraLoad: number;
  readonly budget: AttemptBudget | false | undefined;
  readonly origins: ReadonlySet<string> | undefined;
  readonly key: ((request: HttpRequest) => string | undefined) | undefined;
  readonly maxOrigins: number;
  readonly now: () => number;
  readonly timers: HedgeTimers;
}

const DEFAULT_TIMERS: HedgeTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

function fail(message: string): never {
  throw new InvalidOptionsError(`hedge: ${message}`);
}

function int(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    fail(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Validates `options` and fills in defaults; throws `InvalidOptionsError` on the first bad one. */
export function resolveHedgeOptions(options: HedgeOptions): ResolvedHedgeOptions {
  if (typeof options !== "object" || options === null) fail("options must be an object");
  const quantile = options.quantile ?? 0.95;
  if (typeof quantile !== "number" || !(quantile > 0 && quantile < 1))
    fail(`quantile must be in (0, 1), got ${String(quantile)}`);
  const delay = options.delay;
  if (delay !== undefined && (typeof delay !== "number" || !(delay >= 0) || !Number.isFinite(delay))) {
    fail(`delay must be a finite number of milliseconds >= 0, got ${String(delay)}`);
  }
  const minDelay = options.minDelay ?? 1;
  if (typeof minDelay !== "number" || !(minDelay >= 0) || !Number.isFinite(minDelay))
    fail(`minDelay must be >= 0, got ${String(minDelay)}`);
  const methods = options.methods ?? ["GET", "HEAD", "OPTIONS"];
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== "string" || m === ""))
    fail("methods must be a list of HTTP methods");
  const maxExtraLoad = options.maxExtraLoad ?? 0.05;
  if (typeof maxExtraLoad !== "number" || !(maxExtraLoad > 0 && maxExtraLoad <= 1)) {
    fail(`maxExtraLoad must be in (0, 1], got ${String(maxExtraLoad)}`);
  }
  const budget = options.budget;
  if (
    budget !== undefined &&
    budget !== false &&
    (typeof budget !== "object" || budget === null || typeof budget.acquire !== "function")
  ) {
    fail("budget must be an AttemptBudget (an object with acquire()) or false");
  }
  const origins = options.origins;
  if (origins !== undefined && (!Array.isArray(origins) || origins.some((o) => typeof o !== "string"))) {
    fail("origins must be a list of origins such as https://example.com");
  }
  for (const name of ["key", "now"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function")
      fail(`${name} must be a function`);
  }
  const timers = options.timers ?? DEFAULT_TIMERS;
  if (
    typeof timers !== "object" ||
    timers === null ||
    typeof timers.set !== "function" ||
    typeof timers.clear !== "function"
  ) {
    fail("timers must have set() and clear()");
  }
  return {
    quantile,
    delay,
    minDelay,
    minSamples: int("minSamples", options.minSamples, 20, 1),
    windowSize: int("windowSize", options.windowSize, 1000, 1),
    methods: new Set(methods.map((m) => m.toUpperCase())),
    maxInFlight: int("maxInFlight", options.maxInFlight, 10, 0),
    maxExtraLoad,
    budget,
    origins: origins === undefined ? undefined : new Set(origins.map(originOf)),
    key: options.key,
    maxOrigins: int("maxOrigins", options.maxOrigins, 1000, 1),
    now: options.now ?? (() => performance.now()),
    timers,
  };
}

function originOf(text: string): string {
  try {
    const origin = new URL(text).origin;
    if (origin !== "null") return origin;
  } catch {
    // reported below
  }
  return fail(
    `${JSON.stringify(text.replace(/\/\/[^@/]*@/, "//***@").slice(0, 100))} is not an origin such as https://example.com`,
  );
}
