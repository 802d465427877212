import type diagnosticsChannel from "node:diagnostics_channel";
import { pluginChannel, publishScrubbed } from "@switchyard/core";

/**
 * The auth plugin's diagnostics channels (`switchyard:auth:<event>`). Payloads carry store names,
 * credential kinds, redacted URLs, file paths and line numbers: never a secret.
 *
 * - `applied` `{ method, url, store, kind }` a credential was added to a request
 * - `skipped` `{ method, url, store, kind, reason }` a credential was found but not sent
 *   (`insecure-http`, `header-present`, `token-in-path`, `s3-kind`)
 * - `challenge` `{ method, url, store, kind, outcome }` a 401 with a challenge answered a request
 *   that carried a stored credential (`replayed`, `unchanged`, `not-refreshable`, `not-replayable`)
 * - `file-problem` `{ store, file, line, column, problem, message }` a malformed entry in lenient mode
 * - `token-refresh` `{ store, key, outcome, reason? }` an OAuth token was refreshed (`refreshed`),
 *   taken from the fleet's state store (`shared`), or failed to be (`failed`)
 * - `env-missing` `{ store, key, variable }` an envStore entry matched but its variable is unset
 */
export const authChannels: {
  readonly applied: diagnosticsChannel.Channel;
  readonly skipped: diagnosticsChannel.Channel;
  readonly challenge: diagnosticsChannel.Channel;
  readonly fileProblem: diagnosticsChannel.Channel;
  readonly tokenRefresh: diagnosticsChannel.Channel;
  readonly envMissing: diagnosticsChannel.Channel;
} = Object.freeze({
  applied: pluginChannel("auth", "applied"),
  skipped: pluginChannel("auth", "skipped"),
  challenge: pluginChannel("auth", "challenge"),
  fileProblem: pluginChannel("auth", "file-problem"),
  tokenRefresh: pluginChannel("auth", "token-refresh"),
  envMissing: pluginChannel("auth", "env-missing"),
});

/**
 * Publishes `payload` on `channel` only when someone listens, scrubbed of the secrets of its
 * call's context (core's `publishScrubbed`).
 */
export function publish(channel: diagnosticsChannel.Channel, payload: () => object): void {
  if (channel.hasSubscribers) publishScrubbed(channel, payload() as Record<string, unknown>);
}
