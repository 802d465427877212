import type { Context, HttpRequest, HttpResponse } from "@switchyard/core";
import {
  ConnectError,
  isTransientError,
  isTransientStatus,
  SwitchyardError,
  TimeoutError,
  TRANSIENT_STATUSES,
} from "@switchyard/core";

// Whether an error or a status is transient is decided in one place, core's `transient.ts`.
export { isTransientError };

/**
 * Statuses retried by default: core's `TRANSIENT_STATUSES` (408 Request Timeout, 429 Too Many
 * Requests, 500, 502, 503, 504). Other 4xx are the caller's mistake; 501 Not Implemented and 505
 * HTTP Version Not Supported will not change on a second try.
 */
export const DEFAULT_RETRY_STATUSES: readonly number[] = TRANSIENT_STATUSES;

/** Methods retried by default: the idempotent ones of RFC 9110 §9.2.2, plus QUERY. */
export const IDEMPOTENT_METHODS: readonly string[] = Object.freeze([
  "GET",
  "HEAD",
  "OPTIONS",
  "PUT",
  "DELETE",
  "TRACE",
  "QUERY",
]);

/** What one attempt produced, as retry's classification sees it: a response or an error. */
export interface RetryOutcome {
  /** The request of this attempt. */
  readonly request: HttpRequest;
  /** The response, when the attempt got one. */
  readonly response?: HttpResponse | undefined;
  /** The error, when the attempt failed without a response. */
  readonly error?: unknown;
  /** 1-based number of the attempt that produced this outcome. */
  readonly attempt: number;
  /** The call's context. */
  readonly context: Context;
}

/**
 * Decides whether an outcome is worth another attempt. Return `undefined` to defer to the default
 * classification ({@link isTransientOutcome}). Method and body checks still apply afterwards.
 */
export type ShouldRetry = (outcome: RetryOutcome) => boolean | undefined;

/**
 * The default classification, core's one rule: a transient error (`isTransientError`: a Switchyard
 * error marked so by whoever threw it), or a status in `statuses` (`isTransientStatus`).
 */
export function isTransientOutcome(outcome: RetryOutcome, statuses: ReadonlySet<number>): boolean {
  if (outcome.response !== undefined) return isTransientStatus(outcome.response.status, statuses);
  return isTransientError(outcome.error);
}

/**
 * Whether `outcome` is worth another attempt under `policy`: its `shouldRetry` hook, or (when the
 * hook is absent or answers `undefined`) {@link isTransientOutcome}. Method and body checks come
 * after, in `decideAttempt`.
 */
export function wantsRetry(
  policy: { readonly shouldRetry: ShouldRetry | undefined; readonly statuses: ReadonlySet<number> },
  outcome: RetryOutcome,
): boolean {
  return policy.shouldRetry?.(outcome) ?? isTransientOutcome(outcome, policy.statuses);
}

/**
 * Whether the request certainly never reached the server: the connection could not be opened.
 * Such a failure may be retried whatever the method.
 */
export function neverSent(error: unknown): boolean {
  if (error instanceof ConnectError) return error.transient;
  return error instanceof TimeoutError && error.phase === "connect";
}

/**
 * Whether the method may be sent again: an idempotent one, or POST/PATCH carrying an
 * `Idempotency-Key` (the server promised to deduplicate), or anything when `anyMethod`.
 */
export function mayResend(request: HttpRequest, methods: ReadonlySet<string>, anyMethod: boolean): boolean {
  if (anyMethod || methods.has(request.method.toUpperCase())) return true;
  return request.headers.has("idempotency-key");
}

/** A short description of an outcome for events and messages: never a header value or body. */
export function describeOutcome(outcome: Pick<RetryOutcome, "response" | "error">): string {
  if (outcome.response !== undefined) return `status ${outcome.response.status}`;
  const error = outcome.error;
  if (error instanceof SwitchyardError) return `${error.name} (${error.code})`;
  if (error instanceof Error) return error.name;
  return typeof error;
}
