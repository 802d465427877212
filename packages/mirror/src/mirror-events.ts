import type { Channel } from "node:diagnostics_channel";
import { pluginChannel } from "@switchyard/core";

/**
 * The mirror middleware's diagnostics channels. Payloads carry redacted URLs and error texts only,
 * never header values.
 *
 * - `switchyard:mirror:selected` `{ prefix, mirror, kind, url, method, attempt, probe, context }`
 *   before each attempt (`url` is the rewritten request URL);
 * - `switchyard:mirror:failed` `{ prefix, mirror, kind, method, attempt, failures, maxFailures,
 *   status?, error?, context }` when an attempt fails or a body breaks off mid-stream;
 * - `switchyard:mirror:recovered` `{ prefix, mirror, kind, previousFailures, context }` when a
 *   mirror that had failures answers again.
 */
export const mirrorChannels: {
  readonly selected: Channel;
  readonly failed: Channel;
  readonly recovered: Channel;
} = Object.freeze({
  selected: pluginChannel("mirror", "selected"),
  failed: pluginChannel("mirror", "failed"),
  recovered: pluginChannel("mirror", "recovered"),
});
