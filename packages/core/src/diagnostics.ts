import diagnosticsChannel from "node:diagnostics_channel";

/**
 * Core's diagnostics channels. Payloads never carry secrets: URLs are redacted and no header
 * values are included. Publishing costs nothing when nobody subscribes.
 *
 * - `switchyard:core:request` `{ method, url, context }` when a call (or a redirect hop) starts
 * - `switchyard:core:response` `{ method, url, status, durationMs, context }` when headers arrive
 * - `switchyard:core:error` `{ method, url, error, context }` when a call fails
 * - `switchyard:core:redirect` `{ method, from, to, status, context }` for each redirect followed
 */
export const channels: {
  readonly request: diagnosticsChannel.Channel;
  readonly response: diagnosticsChannel.Channel;
  readonly error: diagnosticsChannel.Channel;
  readonly redirect: diagnosticsChannel.Channel;
} = Object.freeze({
  request: diagnosticsChannel.channel("switchyard:core:request"),
  response: diagnosticsChannel.channel("switchyard:core:response"),
  error: diagnosticsChannel.channel("switchyard:core:error"),
  redirect: diagnosticsChannel.channel("switchyard:core:redirect"),
});

/** The channel `switchyard:<plugin>:<event>`, for plugins that publish their own events. */
export function pluginChannel(plugin: string, event: string): diagnosticsChannel.Channel {
  return diagnosticsChannel.channel(`switchyard:${plugin}:${event}`);
}
