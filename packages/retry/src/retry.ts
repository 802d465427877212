import type { Context, HttpRequest, HttpResponse, Middleware, Next, StateStore } from "@switchyard/core";
import {
  afterAnswer,
  attemptBudgetKey,
  attemptKey,
  BodyNotReplayableError,
  InvalidOptionsError,
  notBeforeKey,
  pluginChannel,
  redactUrl,
  SwitchyardError,
} from "@switchyard/core";
import type { RetryOutcome } from "./classify.ts";
import { describeOutcome, wantsRetry } from "./classify.ts";
import type { AttemptDecision } from "./decide-attempt.ts";
import { afterTimeout, decideAttempt } from "./decide-attempt.ts";
import type { StopReason } from "./errors.ts";
import { RetriesExhaustedError } from "./errors.ts";
import { resumable } from "./resume.ts";
import type { RetryBudgetOptions } from "./retry-budget.ts";
import { RetryBudget } from "./retry-budget.ts";
import type { RetryPolicy, RetryPolicyOptions } from "./retry-policy.ts";
import { isRetryPolicy, retryPolicy, retryPolicyKey } from "./retry-policy.ts";
import type { SdkRetries } from "./sdk-retries.ts";
import { isSdkRetried, sdkRetriesOption } from "./sdk-retries.ts";
import type { Sleep } from "./sleep.ts";
import { abortReason, sleep as defaultSleep } from "./sleep.ts";

/** Options of {@link retry}: the policy, plus what belongs to the client as a whole. */
export interface RetryOptions extends RetryPolicyOptions {
  /**
   * The retry budget shared by every call of this middleware (so of its client): a
   * {@link RetryBudget} (to share it or watch it), options for a new one, or `false` for none.
   * @default a new RetryBudget(): 500 tokens, 5 per retry, 10 per retry after a timeout
   */
  readonly budget?: RetryBudget | RetryBudgetOptions | false;
  /**
   * A state store shared with other processes (`sqliteStore()`, `redisStore()`, any `StateStore`):
   * one retry budget for the whole fleet instead of one per process. Requests never wait on it:
   * each process decides on its local view; spends and refills travel in the background, and a
   * store that does not answer leaves the budget local (see the README's "Sharing the budget").
   * Give it to a `RetryBudget` you pass in `budget` instead, when you pass one.
   * @default undefined (the budget is this process's own)
   */
  readonly stateStore?: StateStore;
  /** Longest wait for one state-store operation before going on locally. @default 50 */
  readonly stateStoreTimeoutMs?: number;
  /** The clock, in epoch milliseconds (a seam for tests). @default Date.now */
  readonly now?: () => number;
  /** The abort-aware wait (a seam for tests: capture delays instead of sleeping). */
  readonly sleep?: Sleep;
  /** Random source in [0, 1) for jitter (a seam for tests). @default Math.random */
  readonly random?: () => number;
  /**
   * Requests an SDK retries itself (marked by `x-stainless-retry-count` or `amz-sdk-request`, see
   * `isSdkRetried`): `"defer"` sends them once and lets the SDK retry, `"retry"` retries them too.
   * @default "defer"
   */
  readonly sdkRetries?: SdkRetries;
}

/** The middleware {@link retry} returns, with its policy and budget exposed for inspection. */
export interface RetryMiddleware extends Middleware {
  readonly policy: RetryPolicy;
  readonly budget: RetryBudget | undefined;
}

/** What the first attempt's reactions need (one object per call instead of two closures). */
interface FirstAttempt {
  readonly request: HttpRequest;
  readonly next: Next;
  readonly context: Context;
  readonly p: RetryPolicy;
  readonly started: number;
}

const retryChannel = pluginChannel("retry", "retry");
const giveUpChannel = pluginChannel("retry", "give-up");

/**
 * Retries transient failures (connection errors, timeouts, 408/429/5xx) with exponential backoff
 * and jitter, idempotent methods only by default, within a per-client retry budget. Waits the
 * longer of its backoff and core's `notBeforeKey` hint (set by `@switchyard/retry-after`), never
 * the sum. Optionally resumes interrupted downloads with `Range` + `If-Range`.
 *
 * Stage `policy`: outermost, so each retry runs the whole inner chain again (mirror failover, auth,
 * the per-attempt Retry-After gate).
 *
 * @example
 * const client = createClient({ middleware: [retry({ maxRetries: 5, resume: true })] });
 * const res = await client.request("https://example.com/big.tar");
 * console.log(res.context.get(attemptKey)); // attempts made
 */
export function retry(options: RetryOptions = {}): RetryMiddleware {
  const policy = retryPolicy(options);
  const budget = makeBudget(options.budget, options.stateStore, options.stateStoreTimeoutMs);
  const now = checkFunction("now", options.now) ?? Date.now;
  const sleep = checkFunction("sleep", options.sleep) ?? defaultSleep;
  const random = checkFunction("random", options.random) ?? Math.random;
  const deferToSdk = sdkRetriesOption(options.sdkRetries) === "defer";

  // An answer that is not worth retrying: it counts as a success for the budget (as in the AWS SDK).
  function settle(
    request: HttpRequest,
    response: HttpResponse,
    next: Next,
    context: Context,
    p: RetryPolicy,
    refund: number | undefined,
  ): HttpResponse {
    budget?.release(refund);
    return p.resume
      ? resumable(request, response, next, context, { policy: p, budget, sleep, random })
      : response;
  }

  // The first attempt without an async function or closures: its reactions are filed with core's
  // afterAnswer (run in the transport's callback when nothing inside wraps the answer); only an
  // outcome worth retrying enters the retry loop.
  function run(request: HttpRequest, next: Next, context: Context, p: RetryPolicy): Promise<HttpResponse> {
    let started: number;
    try {
      started = now();
    } catch (error) {
      return Promise.reject(error);
    }
    context.set(attemptKey, 1);
    // Plugins that send extra attempts (hedge) spend the same budget: core's key, no import.
    if (budget !== undefined) context.set(attemptBudgetKey, budget);
    let sent: Promise<HttpResponse>;
    try {
      sent = next(request);
    } catch (caught) {
      sent = Promise.reject(caught);
    }
    return afterAnswer(sent, firstAnswered, firstFailed, { request, next, context, p, started });
  }

  // The first attempt's answer: the common one (no custom rule, a status not worth retrying) builds
  // no outcome; this is `wantsRetry`'s answer for it, without the allocation.
  function firstAnswered(response: HttpResponse, a: FirstAttempt): HttpResponse | Promise<HttpResponse> {
    const { request, next, context, p } = a;
    if (p.shouldRetry === undefined && !p.statuses.has(response.status))
      return settle(request, response, next, context, p, undefined);
    const outcome: RetryOutcome = { request, response, error: undefined, attempt: 1, context };
    if (!wantsRetry(p, outcome)) return settle(request, response, next, context, p, undefined);
    return retryAfterOutcome(request, next, context, p, a.started, outcome);
  }

  function firstFailed(caught: unknown, a: FirstAttempt): Promise<HttpResponse> {
    const { request, next, context, p } = a;
    if (caught instanceof SwitchyardError) caught.context ??= context;
    const outcome: RetryOutcome = { request, response: undefined, error: caught, attempt: 1, context };
    if (!wantsRetry(p, outcome)) throw caught;
    return retryAfterOutcome(request, next, context, p, a.started, outcome);
  }

  // The retry loop, entered with an outcome that `wantsRetry` found worth retrying. It decides
  // nothing itself: `decideAttempt` says stop or wait, and the loop carries that out.
  async function retryAfterOutcome(
    request: HttpRequest,
    next: Next,
    context: Context,
    p: RetryPolicy,
    started: number,
    first: RetryOutcome,
  ): Promise<HttpResponse> {
    // Built only when an event or error needs it: redactUrl parses the URL again.
    let whereCache: { method: string; url: string; context: Context } | undefined;
    const where = () => (whereCache ??= { method: request.method, url: redactUrl(request.url), context });
    let refund: number | undefined;
    let outcome = first;
    for (;;) {
      const { response, error, attempt } = outcome;
      let decision: AttemptDecision;
      try {
        decision = decideAttempt({
          outcome,
          policy: p,
          budget,
          now: now(),
          started,
          notBefore: context.get(notBeforeKey),
          random,
        });
      } catch (invalid) {
        await response?.discard();
        throw invalid;
      }
      if (decision.kind === "stop") {
        if (decision.reason === "not-resendable") {
          if (response === undefined) throw error;
          return response;
        }
        // The budget refuses too (taking nothing); a shared one then asks the fleet again.
        if (decision.reason === "budget") budget?.acquire(afterTimeout(outcome));
        return giveUp(outcome, p, decision.reason, where);
      }
      // The decision saw enough tokens; nothing ran since, so taking them succeeds.
      const cost = decision.cost === undefined ? undefined : budget?.acquire(afterTimeout(outcome));
      const reason = describeOutcome(outcome);
      if (response !== undefined) await response.discard();
      if (retryChannel.hasSubscribers) {
        retryChannel.publish({ ...where(), attempt, nextAttempt: attempt + 1, delay: decision.ms, reason });
      }
      const signal = request.signal;
      try {
        await sleep(decision.ms, signal);
      } catch (reason) {
        throw signal?.aborted ? abortReason(signal, where()) : reason;
      }
      refund = cost;

      const nextAttempt = attempt + 1;
      context.set(attemptKey, nextAttempt);
      let nextResponse: HttpResponse | undefined;
      let nextError: unknown;
      try {
        nextResponse = await next(request);
      } catch (caught) {
        nextError = caught;
        if (caught instanceof SwitchyardError) caught.context ??= context;
      }
      outcome = { request, response: nextResponse, error: nextError, attempt: nextAttempt, context };
      if (!wantsRetry(p, outcome)) {
        if (nextResponse === undefined) throw nextError;
        return settle(request, nextResponse, next, context, p, refund);
      }
    }
  }

  // Retry gave up on a retryable outcome: the event, then the answer or error it hands back.
  async function giveUp(
    outcome: RetryOutcome,
    p: RetryPolicy,
    stop: StopReason,
    where: () => { method: string; url: string; context: Context },
  ): Promise<HttpResponse> {
    const { response, error, attempt } = outcome;
    const reason = describeOutcome(outcome);
    if (giveUpChannel.hasSubscribers) giveUpChannel.publish({ ...where(), attempts: attempt, reason, stop });
    if (response === undefined) {
      if (stop === "not-replayable") {
        throw new BodyNotReplayableError(
          `attempt ${attempt} failed (${reason}) and retry would send it again`,
          {
            ...where(),
            cause: error,
          },
        );
      }
      throw error;
    }
    if (p.onExhausted === "return") return response;
    await response.discard();
    throw new RetriesExhaustedError(response.status, attempt, stop, where());
  }

  return {
    name: "retry",
    stage: "policy",
    policy,
    budget,
    handle(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
      const override = context.get(retryPolicyKey);
      if (override === false || (deferToSdk && isSdkRetried(request))) return next(request);
      if (override !== undefined && !isRetryPolicy(override)) {
        return Promise.reject(
          new InvalidOptionsError("the retryPolicyKey context value must be false or made by retryPolicy()"),
        );
      }
      return run(request, next, context, override ?? policy);
    },
  };
}

function makeBudget(
  option: RetryBudget | RetryBudgetOptions | false | undefined,
  stateStore: StateStore | undefined,
  stateStoreTimeoutMs: number | undefined,
): RetryBudget | undefined {
  if (stateStore !== undefined && (option === false || option instanceof RetryBudget)) {
    throw new InvalidOptionsError(
      option === false
        ? "stateStore shares the retry budget, and budget is false: drop one of them"
        : "stateStore applies to the budget retry makes; give it to the RetryBudget you pass instead",
    );
  }
  if (option === false) return undefined;
  if (option instanceof RetryBudget) return option;
  if (option !== undefined && (typeof option !== "object" || option === null)) {
    throw new InvalidOptionsError("budget must be a RetryBudget, its options, or false");
  }
  if (stateStore === undefined) return new RetryBudget(option);
  return new RetryBudget({
    ...option,
    stateStore,
    stateStoreTimeoutMs: stateStoreTimeoutMs ?? option?.stateStoreTimeoutMs,
  });
}

function checkFunction<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new InvalidOptionsError(`${name} must be a function`);
  }
  return value;
}
