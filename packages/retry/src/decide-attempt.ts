import { InvalidOptionsError, TimeoutError } from "@switchyard/core";
import { backoffDelay } from "./backoff.ts";
import type { RetryOutcome } from "./classify.ts";
import { mayResend, neverSent } from "./classify.ts";
import type { StopReason } from "./errors.ts";
import type { RetryPolicy } from "./retry-policy.ts";

/** What the budget looks like to a decision: tokens left and what a retry costs. */
export interface BudgetView {
  readonly available: number;
  readonly retryCost: number;
  readonly timeoutCost: number;
}

/** Everything one decision reads: nothing else, so the same input always decides the same. */
export interface AttemptInput {
  /** What the attempt produced; `wantsRetry` has already found it worth another attempt. */
  readonly outcome: RetryOutcome;
  readonly policy: RetryPolicy;
  /** The client's budget, or undefined when it has none. */
  readonly budget: BudgetView | undefined;
  /** The clock now, epoch ms. */
  readonly now: number;
  /** When the first attempt started, epoch ms. */
  readonly started: number;
  /** The server's hint (core's `notBeforeKey`, epoch ms), if any. */
  readonly notBefore: number | undefined;
  /** Random source in [0, 1) for the backoff's jitter. */
  readonly random: () => number;
}

/**
 * Why a retryable outcome is handed back as it is: `"not-resendable"` when the call was aborted or
 * its method may not be sent twice (no event, no error of retry's own); a {@link StopReason} when
 * retry gives up (a `give-up` event, and for a status under `onExhausted: "throw"` a
 * `RetriesExhaustedError`).
 */
export type AttemptStop = "not-resendable" | StopReason;

/** One decision: stop with a reason, or wait `ms` and try again, paying `cost` budget tokens. */
export type AttemptDecision =
  | { readonly kind: "stop"; readonly reason: AttemptStop }
  | { readonly kind: "wait"; readonly ms: number; readonly cost: number | undefined };

/** Whether a retry after this outcome costs the budget's `timeoutCost` (a timeout) or `retryCost`. */
export function afterTimeout(outcome: Pick<RetryOutcome, "error">): boolean {
  return outcome.error instanceof TimeoutError;
}

/**
 * Decides what follows an attempt whose outcome is worth another one. The checks, in order:
 * aborted or not resendable (an idempotent method, an `Idempotency-Key`, `retryNonIdempotent`, or a
 * connection that never opened) -> stop; a one-shot body -> `not-replayable`; `maxRetries` spent
 * -> `max-retries`; the wait (the longer of the backoff and the server's hint, never the sum) ends
 * past `maxElapsed` -> `max-elapsed`; the budget cannot pay -> `budget`; else wait.
 *
 * Pure: it reads its input and the policy's own functions (`delay`), and takes no tokens; the
 * caller pays `cost`. Throws InvalidOptionsError when the policy's `delay` returns a bad value.
 */
export function decideAttempt(input: AttemptInput): AttemptDecision {
  const { outcome, policy, budget, now } = input;
  const { request, response, error, attempt } = outcome;
  const resendable =
    !request.signal?.aborted &&
    (mayResend(request, policy.methods, policy.retryNonIdempotent) ||
      (response === undefined && neverSent(error)));
  if (!resendable) return stop("not-resendable");
  if (!request.isReplayable) return stop("not-replayable");
  if (attempt > policy.maxRetries) return stop("max-retries");
  const backoff = delayFor(policy, outcome, input.random);
  const notBefore = input.notBefore;
  const ms = notBefore === undefined ? backoff : Math.max(backoff, notBefore - now);
  if (now + ms - input.started > policy.maxElapsed) return stop("max-elapsed");
  if (budget === undefined) return { kind: "wait", ms, cost: undefined };
  const cost = afterTimeout(outcome) ? budget.timeoutCost : budget.retryCost;
  if (cost > budget.available) return stop("budget");
  return { kind: "wait", ms, cost };
}

function stop(reason: AttemptStop): AttemptDecision {
  return { kind: "stop", reason };
}

function delayFor(policy: RetryPolicy, outcome: RetryOutcome, random: () => number): number {
  const backoff = backoffDelay(policy, outcome.attempt, random);
  if (policy.delay === undefined) return backoff;
  const chosen = policy.delay(outcome.attempt, outcome, backoff);
  if (typeof chosen !== "number" || !(chosen >= 0)) {
    throw new InvalidOptionsError(`the delay function must return milliseconds >= 0, got ${String(chosen)}`);
  }
  return chosen;
}
