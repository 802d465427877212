import type { ContextKey } from "@switchyard/core";
import { contextKey, InvalidOptionsError } from "@switchyard/core";
import type { Jitter } from "./backoff.ts";
import type { RetryOutcome, ShouldRetry } from "./classify.ts";
import { DEFAULT_RETRY_STATUSES, IDEMPOTENT_METHODS } from "./classify.ts";

/**
 * A custom delay: milliseconds to wait before retry number `retry` (1 for the first retry), given
 * what the failed attempt produced and the exponential backoff that would apply.
 */
export type DelayFunction = (retry: number, outcome: RetryOutcome, backoff: number) => number;

/** What to do when retries run out on a retryable status. */
export type OnExhausted = "return" | "throw";

/** The part of retry's options a single call may override (see {@link retryPolicyKey}). */
export interface RetryPolicyOptions {
  /**
   * Most retries after the first attempt (so at most `maxRetries + 1` attempts).
   * @default 3 (like reqwest-retry as rattler uses it and most SDKs)
   */
  readonly maxRetries?: number;
  /**
   * Most milliseconds from the first attempt's start to the start of the last retry: a retry whose
   * wait would end past it is not made. `Infinity` leaves only `maxRetries` (the client's `timeout`
   * still bounds the whole call).
   * @default Infinity
   */
  readonly maxElapsed?: number;
  /**
   * Delay before the first retry and floor of the exponential curve, in milliseconds.
   * @default 100 (AWS SDK standard mode: quick enough that a blip costs a person nothing)
   */
  readonly minDelay?: number;
  /**
   * Ceiling of any backoff delay, in milliseconds (a server's Retry-After hint may be longer).
   * @default 20000 (AWS SDK standard mode)
   */
  readonly maxDelay?: number;
  /**
   * Growth factor per retry.
   * @default 2
   */
  readonly base?: number;
  /**
   * Randomisation: `"full"` (uniform in [0, d]), `"bounded"` (uniform in [minDelay, d]) or `"none"`.
   * @default "full" (spreads clients that failed together the most; AWS's recommendation)
   */
  readonly jitter?: Jitter;
  /** Replaces the exponential backoff. Receives the backoff it would have used. */
  readonly delay?: DelayFunction;
  /**
   * Statuses worth a retry.
   * @default [408, 429, 500, 502, 503, 504]
   */
  readonly statuses?: readonly number[];
  /** Custom classification; return `undefined` to use the default one. */
  readonly shouldRetry?: ShouldRetry;
  /**
   * Methods retried. POST and PATCH are also retried when they carry an `Idempotency-Key` header.
   * A connection that could not be opened is retried whatever the method (nothing was sent).
   * @default ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "QUERY"]
   */
  readonly methods?: readonly string[];
  /**
   * Retry every method, POST and PATCH included (only when you know the server deduplicates).
   * @default false
   */
  readonly retryNonIdempotent?: boolean;
  /**
   * When retries run out on a retryable status: `"return"` the last response, or `"throw"` a
   * `RetriesExhaustedError` (its body discarded).
   * @default "return" (like fetch: a status is an answer, not an error)
   */
  readonly onExhausted?: OnExhausted;
  /**
   * Resume an interrupted download with `Range` + `If-Range` instead of failing, when the server
   * offered a strong validator and `Accept-Ranges: bytes` (see the README).
   * @default false
   */
  readonly resume?: boolean;
}

const kPolicy: unique symbol = Symbol.for("switchyard.retry.policy") as never;

/** A validated, frozen retry policy (from {@link retryPolicy}). */
export interface RetryPolicy {
  readonly [kPolicy]: true;
  readonly maxRetries: number;
  readonly maxElapsed: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  readonly base: number;
  readonly jitter: Jitter;
  readonly delay: DelayFunction | undefined;
  readonly statuses: ReadonlySet<number>;
  readonly shouldRetry: ShouldRetry | undefined;
  readonly methods: ReadonlySet<string>;
  readonly retryNonIdempotent: boolean;
  readonly onExhausted: OnExhausted;
  readonly resume: boolean;
}

/**
 * A per-call override of the retry policy: `false` turns retry off for the call, a
 * {@link RetryPolicy} replaces the client's policy for it (the budget stays the client's).
 *
 * @example
 * await client.request(url, { context: new Context().set(retryPolicyKey, false) });
 */
export const retryPolicyKey: ContextKey<RetryPolicy | false> = contextKey<RetryPolicy | false>(
  "switchyard:retry:policy",
);

/** Tells whether a value is a policy made by {@link retryPolicy}. */
export function isRetryPolicy(value: unknown): value is RetryPolicy {
  return typeof value === "object" && value !== null && (value as { [kPolicy]?: unknown })[kPolicy] === true;
}

/** Validates `options` and fills in defaults; throws InvalidOptionsError on bad values. */
export function retryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError("retry options must be an object");
  }
  const maxRetries = options.maxRetries ?? 3;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidOptionsError(`maxRetries must be an integer >= 0, got ${String(maxRetries)}`);
  }
  const maxElapsed = options.maxElapsed ?? Number.POSITIVE_INFINITY;
  if (typeof maxElapsed !== "number" || !(maxElapsed >= 0)) {
    throw new InvalidOptionsError(
      `maxElapsed must be a number of milliseconds >= 0, got ${String(maxElapsed)}`,
    );
  }
  const minDelay = milliseconds("minDelay", options.minDelay ?? 100);
  const maxDelay = milliseconds("maxDelay", options.maxDelay ?? 20_000);
  if (maxDelay < minDelay) {
    throw new InvalidOptionsError(`maxDelay (${maxDelay}) must not be below minDelay (${minDelay})`);
  }
  const base = options.base ?? 2;
  if (typeof base !== "number" || !Number.isFinite(base) || base < 1) {
    throw new InvalidOptionsError(`base must be a finite number >= 1, got ${String(base)}`);
  }
  const jitter = options.jitter ?? "full";
  if (jitter !== "full" && jitter !== "bounded" && jitter !== "none") {
    throw new InvalidOptionsError(`jitter must be "full", "bounded" or "none", got ${String(jitter)}`);
  }
  const statuses = options.statuses ?? DEFAULT_RETRY_STATUSES;
  if (!Array.isArray(statuses) || !statuses.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
    throw new InvalidOptionsError("statuses must be an array of HTTP statuses (100-599)");
  }
  const methods = options.methods ?? IDEMPOTENT_METHODS;
  if (!Array.isArray(methods) || !methods.every((m) => typeof m === "string" && m.length > 0)) {
    throw new InvalidOptionsError("methods must be an array of method names");
  }
  const onExhausted = options.onExhausted ?? "return";
  if (onExhausted !== "return" && onExhausted !== "throw") {
    throw new InvalidOptionsError(`onExhausted must be "return" or "throw", got ${String(onExhausted)}`);
  }
  return Object.freeze({
    [kPolicy]: true as const,
    maxRetries,
    maxElapsed,
    minDelay,
    maxDelay,
    base,
    jitter,
    delay: fn("delay", options.delay),
    statuses: new Set(statuses),
    shouldRetry: fn("shouldRetry", options.shouldRetry),
    methods: new Set(methods.map((m) => m.toUpperCase())),
    retryNonIdempotent: flag("retryNonIdempotent", options.retryNonIdempotent),
    onExhausted,
    resume: flag("resume", options.resume),
  });
}

function milliseconds(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionsError(
      `${name} must be a finite number of milliseconds >= 0, got ${String(value)}`,
    );
  }
  return value;
}

function fn<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new InvalidOptionsError(`${name} must be a function`);
  }
  return value;
}

function flag(name: string, value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== "boolean") {
    throw new InvalidOptionsError(`${name} must be a boolean`);
  }
  return value ?? false;
}
