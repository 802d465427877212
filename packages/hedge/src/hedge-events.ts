import type diagnosticsChannel from "node:diagnostics_channel";
import { pluginChannel } from "@switchyard/core";

/**
 * The hedge plugin's diagnostics channels (payloads carry the origin and redacted URLs only):
 *
 * - `switchyard:hedge:hedge` `{ origin, method, url, delayMs, context }` when a hedge is sent
 * - `switchyard:hedge:win` `{ origin, winner: "primary" | "hedge", latencyMs, context }` when a
 *   hedged call is answered (the loser is aborted and its body discarded)
 * - `switchyard:hedge:skip` `{ origin, reason: "in-flight" | "extra-load" | "budget", context }`
 *   when a hedge was due but not sent
 */
export const hedgeChannels: {
  readonly hedge: diagnosticsChannel.Channel;
  readonly win: diagnosticsChannel.Channel;
  readonly skip: diagnosticsChannel.Channel;
} = Object.freeze({
  hedge: pluginChannel("hedge", "hedge"),
  win: pluginChannel("hedge", "win"),
  skip: pluginChannel("hedge", "skip"),
});
