import type { Readable } from "node:stream";
import type { Context, HttpRequest, HttpResponse, Next } from "@switchyard/core";
import {
  attemptKey,
  isTransientError,
  mapError,
  pluginChannel,
  redactUrl,
  TimeoutError,
} from "@switchyard/core";
import { backoffDelay } from "./backoff.ts";
import { describeOutcome } from "./classify.ts";
import { ResumeError } from "./errors.ts";
import { checkContinuation, resumePoint } from "./resume-validator.ts";
import { ResumingBody } from "./resuming-body.ts";
import type { RetryBudget } from "./retry-budget.ts";
import type { RetryPolicy } from "./retry-policy.ts";
import type { Sleep } from "./sleep.ts";
import { abortReason } from "./sleep.ts";

/** What resuming shares with the retry middleware that owns it. */
export interface ResumeDeps {
  readonly policy: RetryPolicy;
  readonly budget: RetryBudget | undefined;
  readonly sleep: Sleep;
  readonly random: () => number;
}

const resumeChannel = pluginChannel("retry", "resume");

/**
 * Gives a successful download a body that resumes with `Range` + `If-Range` when it breaks with a
 * transient error (see {@link resumePoint} for when that is safe); other responses come back as is.
 * Each resume waits the policy's backoff, counts against `maxRetries` and the budget, and bumps
 * the attempt count. An answer that would not continue the bytes exactly fails the body with
 * `ResumeError`.
 */
export function resumable(
  request: HttpRequest,
  response: HttpResponse,
  next: Next,
  context: Context,
  deps: ResumeDeps,
): HttpResponse {
  const { policy: p, budget, sleep, random } = deps;
  if (request.method !== "GET" || request.headers.has("range") || !response.hasBody) return response;
  const point = resumePoint(response.status, response.headers);
  if (point === undefined) return response;
  let resumes = 0;
  const reopen = async (offset: number, cause: unknown): Promise<Readable> => {
    let failure: unknown = cause;
    for (;;) {
      const where = { method: request.method, url: redactUrl(request.url), context };
      const error = mapError(failure, { ...where, url: request.url, phase: "body" });
      const attempt = (context.get(attemptKey) ?? 1) + 1;
      if (request.signal?.aborted || !isTransientError(error) || resumes >= p.maxRetries) throw error;
      const cost = budget?.acquire(error instanceof TimeoutError);
      if (budget !== undefined && cost === undefined) throw error;
      resumes++;
      const wait = backoffDelay(p, resumes, random);
      if (resumeChannel.hasSubscribers) {
        resumeChannel.publish({
          ...where,
          attempt,
          offset,
          delay: wait,
          reason: describeOutcome({ error }),
        });
      }
      try {
        await sleep(wait, request.signal);
      } catch (reason) {
        throw request.signal?.aborted ? abortReason(request.signal, where) : reason;
      }
      context.set(attemptKey, attempt);
      let answer: HttpResponse;
      try {
        answer = await next(
          request.with({ headers: { range: `bytes=${offset}-`, "if-range": point.validator } }),
        );
      } catch (again) {
        failure = again;
        continue;
      }
      if (answer.status === 206) {
        const mismatch = checkContinuation(point, offset, answer.headers);
        if (mismatch === undefined) {
          budget?.release(cost);
          return answer.body;
        }
        await answer.discard();
        throw new ResumeError(mismatch, offset, where);
      }
      await answer.discard();
      if (answer.status === 200) {
        throw new ResumeError(
          "the server answered the range request with 200 (the resource changed, or it ignores ranges)",
          offset,
          where,
        );
      }
      if (!p.statuses.has(answer.status)) {
        throw new ResumeError(`the server answered the range request with ${answer.status}`, offset, where);
      }
      failure = new ResumeError(`the server answered ${answer.status}`, offset, {
        ...where,
        transient: true,
      });
    }
  };
  return response.with({ body: new ResumingBody(response.body, reopen, point.length) });
}
