import type diagnosticsChannel from "node:diagnostics_channel";
import { pluginChannel } from "@switchyard/core";

/**
 * The rate limiter's diagnostics channels (payloads carry the origin, never a secret):
 *
 * - `switchyard:rate-limit:throttle` `{ origin, status, previousRate, rate, pauseMs }` on a 429/503
 *   (rates in requests per second; `Infinity` means unlimited)
 * - `switchyard:rate-limit:pause` `{ origin, pauseMs, reason }` when headers or the fleet pause it
 * - `switchyard:rate-limit:recover` `{ origin, rate }` when additive recovery is back where it was
 * - `switchyard:rate-limit:wait` `{ origin, method, url, delayMs, reason, context }` per request
 *   held (`reason`: `"rate"`, `"concurrency"` or `"fleet"`)
 * - `switchyard:rate-limit:reject` `{ origin, method, url, waitMs, context }` per request refused
 * - `switchyard:rate-limit:store-error` `{ store, operation, error }` (the limiter goes on locally)
 */
export const rateLimitChannels: {
  readonly throttle: diagnosticsChannel.Channel;
  readonly pause: diagnosticsChannel.Channel;
  readonly recover: diagnosticsChannel.Channel;
  readonly wait: diagnosticsChannel.Channel;
  readonly reject: diagnosticsChannel.Channel;
  readonly storeError: diagnosticsChannel.Channel;
} = Object.freeze({
  throttle: pluginChannel("rate-limit", "throttle"),
  pause: pluginChannel("rate-limit", "pause"),
  recover: pluginChannel("rate-limit", "recover"),
  wait: pluginChannel("rate-limit", "wait"),
  reject: pluginChannel("rate-limit", "reject"),
  storeError: pluginChannel("rate-limit", "store-error"),
});
