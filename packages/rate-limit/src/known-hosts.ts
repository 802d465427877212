import type { OriginLimits } from "./rate-limit-options.ts";

/**
 * Limits published by well-known APIs, applied with `knownHosts: true` (never by default: no
 * ambient configuration). Only documented numbers; everything else comes from the servers' own
 * headers, which the limiter reads for every host anyway.
 *
 * - `api.github.com`, `uploads.github.com`: GitHub's secondary rate limits allow no more than 100
 *   concurrent requests ("Rate limits for the REST API", GitHub Docs).
 * - `api.stackexchange.com`: more than 30 requests a second from one IP are dropped (Stack Exchange
 *   API docs, "Throttles").
 */
export const KNOWN_HOSTS: Readonly<Record<string, OriginLimits>> = Object.freeze({
  "api.github.com": Object.freeze({ concurrency: 100 }),
  "uploads.github.com": Object.freeze({ concurrency: 100 }),
  "api.stackexchange.com": Object.freeze({ rate: 30 }),
});
