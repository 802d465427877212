import type { HttpRequest, StateStore } from "@switchyard/core";
import { InvalidOptionsError, redactUrl } from "@switchyard/core";
import type { CircuitSettings } from "./circuit.ts";

/** Options of {@link breaker}. */
export interface BreakerOptions {
  /**
   * Response statuses that count as failures (transport errors always do). A breaker that sees only
   * thrown errors misses a server answering 503 to everything.
   * @default every 5xx (500-599)
   */
  readonly statuses?: readonly number[];
  /**
   * Failure ratio in the window at or above which the circuit opens (0 < ratio <= 1).
   * @default 0.5 (half the requests failing: clearly sick, not a blip)
   */
  readonly failureRatio?: number;
  /**
   * Fewest outcomes in the window before the ratio counts: one failure out of two requests says
   * nothing about a server.
   * @default 20
   */
  readonly minimumRequests?: number;
  /**
   * Length of the sliding window, in milliseconds.
   * @default 10000 (ten seconds: long enough to gather `minimumRequests`, short enough to react)
   */
  readonly windowMs?: number;
  /**
   * Slices the window is kept in (its resolution); memory per origin is this many pairs of numbers.
   * @default 10
   */
  readonly buckets?: number;
  /**
   * How long an open circuit fails fast before a probe may go, in milliseconds.
   * @default 10000 (ten seconds, as cockatiel's `halfOpenAfter`; Envoy ejects for 30 s)
   */
  readonly openMs?: number;
  /**
   * Probes a half-open circuit lets through at once; that many successes close it, one failure
   * opens it again.
   * @default 1 (one request pays for finding out, as a single mirror probe does)
   */
  readonly halfOpenProbes?: number;
  /**
   * Only these origins (`https://host[:port]`) get a breaker; others pass through untouched. Omit to
   * guard every origin.
   * @default every origin
   */
  readonly origins?: readonly string[];
  /**
   * What shares a circuit: a function of the request returning a key (no secrets: it appears in
   * errors, events and the state store). Requests for which it returns `undefined` pass through.
   * @default the request's origin
   */
  readonly key?: (request: HttpRequest) => string | undefined;
  /**
   * Most circuits kept; past it the oldest closed one is forgotten (bounded memory under many hosts).
   * @default 1000
   */
  readonly maxCircuits?: number;
  /**
   * A shared state store: an open circuit is published there (`extendDeadline("breaker:open:<key>")`,
   * keep-the-later) and opens held by other processes arrive by notification, and the window's
   * counts add up across processes (`shareWindow`), so one process's breaker protects the fleet.
   * The request path never waits on the store.
   * @default undefined (state stays in this process)
   */
  readonly stateStore?: StateStore;
  /**
   * With `stateStore`: also share the sliding window's counts, so that failures seen by different
   * processes add up (eight pods each seeing 3 of 24 failures open the fleet's circuit, where each
   * alone would stay under `minimumRequests`). Outcomes are recorded locally and sent in the
   * background as per-slice counters (`increment("breaker:total:<hash>")`,
   * `breaker:failures:<hash>`); a request never waits for them. `false` keeps counts per process
   * and shares only open circuits.
   * @default true
   */
  readonly shareWindow?: boolean;
  /** Longest wait for one background count operation on the store, in milliseconds. @default 50 */
  readonly stateStoreTimeoutMs?: number;
  /** The clock, in epoch milliseconds (a seam for tests). @default Date.now */
  readonly now?: () => number;
}

/** Options after validation. */
export interface ResolvedBreakerOptions extends CircuitSettings {
  readonly statuses: ReadonlySet<number>;
  readonly origins: ReadonlySet<string> | undefined;
  readonly key: ((request: HttpRequest) => string | undefined) | undefined;
  readonly maxCircuits: number;
  readonly stateStore: StateStore | undefined;
  readonly shareWindow: boolean;
  readonly stateStoreTimeoutMs: number | undefined;
  readonly now: () => number;
}

const FIVE_XX: readonly number[] = Array.from({ length: 100 }, (_, i) => 500 + i);

/** Validates `options` and fills in defaults; throws `InvalidOptionsError` on the first bad one. */
export function resolveBreakerOptions(options: BreakerOptions): ResolvedBreakerOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError("breaker: options must be an object");
  }
  const statuses = options.statuses ?? FIVE_XX;
  if (!Array.isArray(statuses) || statuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
    throw new InvalidOptionsError("breaker: statuses must be a list of HTTP status codes (100-599)");
  }
  const failureRatio = options.failureRatio ?? 0.5;
  if (typeof failureRatio !== "number" || !(failureRatio > 0 && failureRatio <= 1)) {
    throw new InvalidOptionsError(`breaker: failureRatio must be in (0, 1], got ${String(failureRatio)}`);
  }
  const origins = options.origins;
  if (origins !== undefined && (!Array.isArray(origins) || origins.some((o) => typeof o !== "string"))) {
    throw new InvalidOptionsError("breaker: origins must be a list of origins such as https://example.com");
  }
  for (const name of ["key", "now"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new InvalidOptionsError(`breaker: ${name} must be a function`);
    }
  }
  const store = options.stateStore;
  if (
    store !== undefined &&
    (typeof store !== "object" || store === null || typeof store.extendDeadline !== "function")
  ) {
    throw new InvalidOptionsError("breaker: stateStore must implement core's StateStore");
  }
  return {
    statuses: new Set(statuses),
    failureRatio,
    minimumRequests: count("minimumRequests", options.minimumRequests ?? 20, 1),
    windowMs: count("windowMs", options.windowMs ?? 10_000, 1),
    buckets: count("buckets", options.buckets ?? 10, 1),
    openMs: count("openMs", options.openMs ?? 10_000, 1),
    halfOpenProbes: count("halfOpenProbes", options.halfOpenProbes ?? 1, 1),
    maxCircuits: count("maxCircuits", options.maxCircuits ?? 1000, 1),
    origins: origins === undefined ? undefined : new Set(origins.map(normaliseOrigin)),
    key: options.key,
    stateStore: store,
    shareWindow: flag("shareWindow", options.shareWindow, true),
    stateStoreTimeoutMs:
      options.stateStoreTimeoutMs === undefined
        ? undefined
        : count("stateStoreTimeoutMs", options.stateStoreTimeoutMs, 1),
    now: options.now ?? Date.now,
  };
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new InvalidOptionsError(`breaker: ${name} must be a boolean`);
  return value;
}

function count(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionsError(`breaker: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function normaliseOrigin(origin: string): string {
  try {
    const parsed = new URL(origin).origin;
    if (parsed !== "null") return parsed;
  } catch {
    // reported below
  }
  throw new InvalidOptionsError(
    `breaker: ${JSON.stringify(redactUrl(String(origin)).slice(0, 100))} is not an origin such as https://example.com`,
  );
}
