export type { DeadlineStoreOptions } from "./deadline-store.ts";
export { DEFAULT_CAPACITY, DeadlineStore } from "./deadline-store.ts";
export { isRetryAfterTooLongError, RetryAfterTooLongError } from "./errors.ts";
export {
  EPOCH_SECONDS_THRESHOLD,
  parseRateLimitReset,
  parseXRateLimitReset,
} from "./parse-rate-limit-reset.ts";
export { MAX_DELAY_SECONDS, parseHttpDate, parseRetryAfter } from "./parse-retry-after.ts";
export type { RetryAfterKey, RetryAfterMiddleware, RetryAfterOptions } from "./retry-after.ts";
export { retryAfter } from "./retry-after.ts";
export type { Sleep } from "./sleep.ts";
