import diagnosticsChannel from "node:diagnostics_channel";

/**
 * `switchyard:core:attempt-error` `{ method, url, attempt, error, context }`: one attempt failed
 * at the transport before response headers (connect error, reset, timeout, abort). The call may
 * still succeed on a later attempt; `switchyard:core:error` tells when the whole call fails. With
 * `switchyard:core:request` and `switchyard:core:response` it brackets every attempt, which is what
 * per-attempt tracing needs.
 */
export const attemptErrorChannel: diagnosticsChannel.Channel = diagnosticsChannel.channel(
  "switchyard:core:attempt-error",
);
