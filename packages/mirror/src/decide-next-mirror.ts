import { CIRCUIT_OPEN_CODE, isSwitchyardError, isTransientError, isTransientStatus } from "@switchyard/core";
import type { StatusRules } from "./failure-rules.ts";
import { isMirrorFailure, judgeStatus } from "./failure-rules.ts";

/**
 * What one attempt on one mirror came to:
 * - `answer`: hand the response to the caller;
 * - `next`: the mirror is fine but lacks this (404/429 as configured): try the next, no failure;
 * - `failure`: count a failure against the mirror, try the next;
 * - `fatal`: an error that is not the mirror's fault (the caller's abort, the whole-call timeout,
 *   a plugin's own error): end the call with it, failing over would only hide it.
 */
export type AttemptVerdict = "answer" | "next" | "failure" | "fatal";

/** One attempt judged: the verdict, and what the loop needs to decide the next step. */
export interface JudgedAttempt {
  readonly verdict: AttemptVerdict;
  /** A failure that may go away (core's `isTransientError` / `isTransientStatus`). */
  readonly transient: boolean;
  /** Nothing was sent (a breaker failed fast): the next mirror goes without the failover delay. */
  readonly nothingSent: boolean;
}

/** Judges an attempt's response status or error under the pool's status rules. Pure. */
export function judgeAttempt(
  attempt: { readonly status: number } | { readonly error: unknown },
  rules: StatusRules,
): JudgedAttempt {
  if ("status" in attempt) {
    const verdict = judgeStatus(attempt.status, rules);
    return {
      verdict,
      transient: verdict === "failure" && isTransientStatus(attempt.status),
      nothingSent: false,
    };
  }
  const error = attempt.error;
  if (!isMirrorFailure(error)) return { verdict: "fatal", transient: false, nothingSent: false };
  return {
    verdict: "failure",
    transient: isTransientError(error),
    nothingSent: isSwitchyardError(error, CIRCUIT_OPEN_CODE),
  };
}

/** Why the failover loop stops. */
export type MirrorStop = "answered" | "fatal" | "not-replayable" | "exhausted";

/** One failover decision: stop with a reason, or wait `ms` and try mirror number `index`. */
export type MirrorDecision =
  | { readonly kind: "stop"; readonly reason: MirrorStop }
  | { readonly kind: "try"; readonly index: number; readonly ms: number };

/** What a failover decision reads. */
export interface FailoverInput {
  /** Attempts made so far in this call (0 before the first). */
  readonly made: number;
  /** How many mirrors (and the origin) the call may try. */
  readonly planned: number;
  /** The last attempt, judged; undefined before the first. */
  readonly last: JudgedAttempt | undefined;
  /** Whether the request body can be sent again. */
  readonly replayable: boolean;
  /** The wait before failover number `n` (the `delay` option); a bad answer counts as 0. */
  readonly delay: (failover: number) => number;
}

/**
 * Decides the next step of one call's failover: stop when the last attempt answered or failed
 * fatally, when the plan is used up, or when the body cannot be sent again; else wait the failover
 * delay (none after a breaker's fast failure, which sent nothing) and try the next mirror. Pure
 * apart from the caller's `delay` function.
 */
export function decideNextMirror(input: FailoverInput): MirrorDecision {
  const { made, last } = input;
  if (last?.verdict === "answer") return { kind: "stop", reason: "answered" };
  if (last?.verdict === "fatal") return { kind: "stop", reason: "fatal" };
  if (made >= input.planned) return { kind: "stop", reason: "exhausted" };
  if (made === 0) return { kind: "try", index: 0, ms: 0 };
  if (!input.replayable) return { kind: "stop", reason: "not-replayable" };
  const wait = last?.nothingSent === true ? 0 : input.delay(made);
  return { kind: "try", index: made, ms: Number.isFinite(wait) && wait > 0 ? wait : 0 };
}

/** What a call that ran out of mirrors hands back: the last non-answer response, or an error. */
export type ExhaustedDecision = "last-response" | "throw";

/**
 * When every planned mirror was tried without an answer: the last response kept (a `next` or a
 * failed status) is handed back when `onExhausted` is `"last-response"`, or when no attempt failed
 * (every mirror said `next`); otherwise the call fails with `AllMirrorsFailedError`.
 */
export function decideExhausted(input: {
  readonly hasResponse: boolean;
  readonly failed: boolean;
  readonly onExhausted: "error" | "last-response";
}): ExhaustedDecision {
  return input.hasResponse && (input.onExhausted === "last-response" || !input.failed)
    ? "last-response"
    : "throw";
}
