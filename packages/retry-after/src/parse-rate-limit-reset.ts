import { MAX_DELAY_SECONDS } from "./parse-retry-after.ts";

/**
 * Values of `X-RateLimit-Reset` at or above this are Unix timestamps in seconds (GitHub, Twitter
 * style: `1700000000`); smaller ones are delays in seconds (`60`). 10^9 seconds is September 2001
 * as a timestamp and 31 years as a delay, so the two readings cannot be confused in practice.
 */
export const EPOCH_SECONDS_THRESHOLD = 1_000_000_000;

const INTEGER = /^\d+$/;

/**
 * Parses `RateLimit-Reset` (IETF draft: delay in seconds) into a deadline in epoch milliseconds,
 * or `undefined` when the value is not a non-negative integer. Never throws.
 */
export function parseRateLimitReset(value: string | null | undefined, now: number): number | undefined {
  const seconds = integer(value);
  return seconds === undefined ? undefined : now + Math.min(seconds, MAX_DELAY_SECONDS) * 1000;
}

/**
 * Parses `X-RateLimit-Reset`, which servers send either as a Unix timestamp in seconds or as a
 * delay in seconds (told apart by {@link EPOCH_SECONDS_THRESHOLD}), into a deadline in epoch
 * milliseconds, or `undefined`. Never throws.
 */
export function parseXRateLimitReset(value: string | null | undefined, now: number): number | undefined {
  const seconds = integer(value);
  if (seconds === undefined) return undefined;
  if (seconds >= EPOCH_SECONDS_THRESHOLD) return seconds * 1000;
  return now + seconds * 1000;
}

function integer(value: string | null | undefined): number | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (!INTEGER.test(text) || text.replace(/^0+/, "").length > 15) return undefined;
  return Number(text);
}
