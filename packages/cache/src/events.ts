import type diagnosticsChannel from "node:diagnostics_channel";
import { pluginChannel } from "@switchyard/core";

/**
 * The cache's diagnostics channels, `switchyard:cache:<event>`. Payloads carry the method, the
 * redacted URL and the call's context, never a header value or a credential.
 *
 * - `hit` `{ method, url, age, context }` a fresh stored response was served
 * - `stale` `{ method, url, reason, context }` a stale one was served (`"stale-while-revalidate"`,
 *   `"stale-if-error"`, `"force-cache"`)
 * - `miss` `{ method, url, reason, context }` the call went to the network (`"absent"`, `"expired"`,
 *   `"vary"`, `"credential"`, `"reload"`, `"corrupt"`)
 * - `revalidated` `{ method, url, background, context }` a conditional request answered 304
 * - `stored` `{ method, url, size, store }` a body was committed to the store
 * - `evicted` `{ key, reason, size, store }` an entry left the store (`"lru"`, `"corrupt"`,
 *   `"invalidated"`); `key` is the entry's hashed key, never the URL
 * - `error` `{ operation, store, error }` a store operation failed; the call went on without it
 */
export const cacheChannels: {
  readonly hit: diagnosticsChannel.Channel;
  readonly stale: diagnosticsChannel.Channel;
  readonly miss: diagnosticsChannel.Channel;
  readonly revalidated: diagnosticsChannel.Channel;
  readonly stored: diagnosticsChannel.Channel;
  readonly evicted: diagnosticsChannel.Channel;
  readonly error: diagnosticsChannel.Channel;
} = Object.freeze({
  hit: pluginChannel("cache", "hit"),
  stale: pluginChannel("cache", "stale"),
  miss: pluginChannel("cache", "miss"),
  revalidated: pluginChannel("cache", "revalidated"),
  stored: pluginChannel("cache", "stored"),
  evicted: pluginChannel("cache", "evicted"),
  error: pluginChannel("cache", "error"),
});

/** Publishes `payload` on `channel` when someone listens (free otherwise). */
export function publish(channel: diagnosticsChannel.Channel, payload: () => object): void {
  if (channel.hasSubscribers) channel.publish(payload());
}
