import type { ContextKey, HttpRequest, StateStore } from "@switchyard/core";
import { checkStore, contextKey, InvalidOptionsError } from "@switchyard/core";
import type { MirrorReport } from "./all-mirrors-failed-error.ts";
import { defaultFailoverDelay } from "./failover-delay.ts";
import type { StatusPolicy } from "./failure-rules.ts";
import type { MirrorsConfig } from "./mirror-config.ts";
import { checkMaxFailures } from "./mirror-config.ts";
import type { MirrorSnapshot } from "./mirror-pool.ts";

/** A mirror as the `select` hook sees it: its snapshot plus whether it carries this request's path. */
export interface SelectCandidate extends MirrorSnapshot {
  /** False when the mirror's `noZstd`, `noBz2` or `skip` rule excludes this path. */
  readonly carries: boolean;
}

/** What the `select` hook is given. */
export interface SelectInput {
  /** The request as it reached the mirror middleware (before any rewrite). */
  readonly request: HttpRequest;
  /** The matched prefix (normalised, redacted). */
  readonly prefix: string;
  /** Every mirror of the pool in configured order (the origin is not among them). */
  readonly mirrors: readonly SelectCandidate[];
  /** The default order: indexes into `mirrors`. */
  readonly order: readonly number[];
}

/**
 * Chooses which mirrors to try, in which order: indexes into `input.mirrors`, or `undefined` for the
 * default order. The hook has the last word: it may pick a cooling mirror or one that does not
 * carry the path. An empty list means "no mirror" (then the origin, if enabled, or the error).
 */
export type SelectHook = (input: SelectInput) => readonly number[] | undefined;

/** What the call's context holds under {@link mirrorRouteKey} after the mirror middleware ran. */
export interface MirrorRoute {
  /** The matched prefix (normalised, redacted). */
  readonly prefix: string;
  /** The mirror (redacted URL) whose response was returned, if any. */
  readonly servedBy: string | undefined;
  /** `"origin"` when the original URL answered. */
  readonly kind: "mirror" | "origin" | undefined;
  /** Every mirror tried in this call, in order, with what happened. */
  readonly attempts: readonly MirrorReport[];
  /** True when the middleware answered a 404 itself because no mirror carries the file kind. */
  readonly synthetic: boolean;
}

/** The mirror middleware's record of the call (the last call through it, under an outer retry). */
export const mirrorRouteKey: ContextKey<MirrorRoute> = contextKey<MirrorRoute>("switchyard:mirror:route");

/** Options of `mirror()`. */
export interface MirrorOptions {
  /** Prefix URL -> mirrors. The longest matching prefix wins; trailing slashes do not matter. */
  readonly mirrors: MirrorsConfig;
  /** Try the original URL after every mirror failed (per prefix: `{ mirrors, fallbackToOrigin }`). @default false */
  readonly fallbackToOrigin?: boolean;
  /** Methods that are routed to mirrors; others pass through untouched. @default ["GET", "HEAD"] */
  readonly methods?: readonly string[];
  /** Failures after which a mirror is skipped until its cool-down ends (per mirror too). @default 3 */
  readonly maxFailures?: number;
  /** Milliseconds a mirror past `maxFailures` is skipped before one request may probe it. @default 30000 */
  readonly cooldownMs?: number;
  /** Each full period of this many milliseconds without a new failure forgives one failure. @default 60000 */
  readonly failureDecayMs?: number;
  /** Shuffle mirrors with as many failures instead of keeping list order (spreads load). @default false */
  readonly shuffle?: boolean;
  /** Random numbers in [0, 1) for `shuffle`; inject one for tests. @default Math.random */
  readonly random?: () => number;
  /** The clock (epoch ms) for failures, cool-downs and decay; inject one for tests. @default Date.now */
  readonly now?: () => number;
  /** Most mirrors tried in one call (the origin, when enabled, comes on top). @default Infinity */
  readonly maxAttempts?: number;
  /**
   * Milliseconds to wait before failover number `n` (1 = before the second attempt). Negative or
   * non-finite results count as 0. @default 50 ms doubling per failover, capped at 2000 ms
   */
  readonly delay?: (failover: number) => number;
  /** What a 404 from a mirror means: the answer, "try the next one", or a failure. @default "answer" */
  readonly on404?: StatusPolicy;
  /** What a 429 from a mirror means. @default "failure" */
  readonly on429?: StatusPolicy;
  /**
   * When every mirror failed: throw AllMirrorsFailedError, or hand back the last failed response
   * (its body unread). When every mirror only answered `"next"` (e.g. 404s) the last of those
   * answers is returned either way. @default "error"
   */
  readonly onExhausted?: "error" | "last-response";
  /** Overrides the order in which mirrors are tried. */
  readonly select?: SelectHook;
  /**
   * A state store shared with other processes (`sqliteStore()`, `redisStore()`): a failure one
   * process sees is known to all, and a recovering mirror gets one probe from the fleet (a lease)
   * instead of one per process. Shared: per mirror, a failure counter under a hashed key
   * (`mirror:failures:<hash of the mirror URL>`) and a probe lease. Requests never wait on it.
   * @default undefined (health stays in this process)
   */
  readonly stateStore?: StateStore;
  /** Longest wait for one state-store operation before falling back to local state. @default 50 */
  readonly stateStoreTimeoutMs?: number;
}

/** Options with defaults applied and checked. */
export interface ResolvedOptions {
  readonly fallbackToOrigin: boolean;
  readonly methods: ReadonlySet<string>;
  readonly maxFailures: number;
  readonly cooldownMs: number;
  readonly failureDecayMs: number;
  readonly shuffle: boolean;
  readonly random: () => number;
  readonly now: () => number;
  readonly maxAttempts: number;
  readonly delay: (failover: number) => number;
  readonly on404: StatusPolicy;
  readonly on429: StatusPolicy;
  readonly onExhausted: "error" | "last-response";
  readonly select: SelectHook | undefined;
  readonly stateStore: StateStore | undefined;
  readonly stateStoreTimeoutMs: number | undefined;
}

const POLICIES: readonly StatusPolicy[] = ["answer", "next", "failure"];

function checkMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionsError(
      `mirror: ${name} must be a number of milliseconds >= 0, got ${String(value)}`,
    );
  }
  return value;
}

function checkFunction<T>(name: string, value: unknown, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "function") throw new InvalidOptionsError(`mirror: ${name} must be a function`);
  return value as T;
}

function checkPolicy(name: string, value: unknown, fallback: StatusPolicy): StatusPolicy {
  if (value === undefined) return fallback;
  if (!POLICIES.includes(value as StatusPolicy)) {
    throw new InvalidOptionsError(
      `mirror: ${name} must be "answer", "next" or "failure", got ${String(value)}`,
    );
  }
  return value as StatusPolicy;
}

/** Applies defaults and checks every option but `mirrors`; throws InvalidOptionsError. */
export function resolveOptions(options: MirrorOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError("mirror() needs an options object with a `mirrors` table");
  }
  if (options.fallbackToOrigin !== undefined && typeof options.fallbackToOrigin !== "boolean") {
    throw new InvalidOptionsError("mirror: fallbackToOrigin must be a boolean");
  }
  if (options.shuffle !== undefined && typeof options.shuffle !== "boolean") {
    throw new InvalidOptionsError("mirror: shuffle must be a boolean");
  }
  const methods = options.methods ?? ["GET", "HEAD"];
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== "string" || m === "")) {
    throw new InvalidOptionsError("mirror: methods must be a list of HTTP method names");
  }
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  if (maxAttempts !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
    throw new InvalidOptionsError(`mirror: maxAttempts must be an integer >= 1, got ${String(maxAttempts)}`);
  }
  const onExhausted = options.onExhausted ?? "error";
  if (onExhausted !== "error" && onExhausted !== "last-response") {
    throw new InvalidOptionsError(
      `mirror: onExhausted must be "error" or "last-response", got ${String(onExhausted)}`,
    );
  }
  const failureDecayMs = checkMs("failureDecayMs", options.failureDecayMs, 60_000);
  if (failureDecayMs === 0) throw new InvalidOptionsError("mirror: failureDecayMs must be > 0");
  return {
    fallbackToOrigin: options.fallbackToOrigin ?? false,
    methods: new Set(methods.map((m) => m.toUpperCase())),
    maxFailures:
      options.maxFailures === undefined ? 3 : checkMaxFailures("mirror: maxFailures", options.maxFailures),
    cooldownMs: checkMs("cooldownMs", options.cooldownMs, 30_000),
    failureDecayMs,
    shuffle: options.shuffle ?? false,
    random: checkFunction("random", options.random, Math.random),
    now: checkFunction("now", options.now, Date.now),
    maxAttempts,
    delay: checkFunction("delay", options.delay, defaultFailoverDelay),
    on404: checkPolicy("on404", options.on404, "answer"),
    on429: checkPolicy("on429", options.on429, "failure"),
    onExhausted,
    select: checkFunction<SelectHook | undefined>("select", options.select, undefined),
    stateStore:
      options.stateStore === undefined ? undefined : checkStore(options.stateStore, "mirror: stateStore"),
    stateStoreTimeoutMs: options.stateStoreTimeoutMs,
  };
}
