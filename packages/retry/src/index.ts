export type { BackoffSettings, Jitter } from "./backoff.ts";
export { backoffDelay } from "./backoff.ts";
export type { RetryOutcome, ShouldRetry } from "./classify.ts";
export {
  DEFAULT_RETRY_STATUSES,
  IDEMPOTENT_METHODS,
  isTransientError,
  isTransientOutcome,
  mayResend,
  neverSent,
} from "./classify.ts";
export type { StopReason } from "./errors.ts";
export { isResumeError, isRetriesExhaustedError, ResumeError, RetriesExhaustedError } from "./errors.ts";
export type { ContentRange, ResumePoint } from "./resume-validator.ts";
export { checkContinuation, parseContentRange, resumePoint } from "./resume-validator.ts";
export type { RetryMiddleware, RetryOptions } from "./retry.ts";
export { retry } from "./retry.ts";
export type { RetryBudgetOptions } from "./retry-budget.ts";
export { RetryBudget } from "./retry-budget.ts";
export type { DelayFunction, OnExhausted, RetryPolicy, RetryPolicyOptions } from "./retry-policy.ts";
export { isRetryPolicy, retryPolicy, retryPolicyKey } from "./retry-policy.ts";
export type { SdkRetries } from "./sdk-retries.ts";
export { isSdkRetried } from "./sdk-retries.ts";
export type { Sleep } from "./sleep.ts";
