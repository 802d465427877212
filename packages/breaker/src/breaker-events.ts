import type diagnosticsChannel from "node:diagnostics_channel";
import { pluginChannel } from "@switchyard/core";

/**
 * The breaker's diagnostics channels (payloads carry the circuit key, never a secret):
 *
 * - `switchyard:breaker:open` `{ origin, openUntil, openMs, source }` when a circuit
 *   opens (`source` is `"local"` or `"store"` when another process opened it)
 * - `switchyard:breaker:half-open` `{ origin }` when the open period ends and probes may go
 * - `switchyard:breaker:close` `{ origin }` when the probes succeeded
 * - `switchyard:breaker:reject` `{ origin, method, url, state, probeAt, context }` for each request
 *   failed fast
 * - `switchyard:breaker:store-error` `{ store, operation, error }` when the shared store failed
 *   (the breaker goes on with its local state)
 */
export const breakerChannels: {
  readonly open: diagnosticsChannel.Channel;
  readonly halfOpen: diagnosticsChannel.Channel;
  readonly close: diagnosticsChannel.Channel;
  readonly reject: diagnosticsChannel.Channel;
  readonly storeError: diagnosticsChannel.Channel;
} = Object.freeze({
  open: pluginChannel("breaker", "open"),
  halfOpen: pluginChannel("breaker", "half-open"),
  close: pluginChannel("breaker", "close"),
  reject: pluginChannel("breaker", "reject"),
  storeError: pluginChannel("breaker", "store-error"),
});
