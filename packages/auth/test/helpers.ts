import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ServerResponse } from "node:http";
import type { TestHandler } from "@switchyard/testkit/servers";
import { authChannels } from "../src/events.ts";

/** A handler that reads the body, then answers 200 only to `Authorization: <expected>`, else 401 with a challenge. */
export function requireAuthorization(
  expected: () => string,
  challenge = 'Bearer realm="switchyard-test"',
): TestHandler {
  return async (req, res) => {
    // Read the whole body first so the recorded request holds it (handlers read nothing by themselves).
    for await (const _ of req) {
      // draining
    }
    // The union of the HTTP/1.1 and HTTP/2 response types has no common writeHead signature.
    const out = res as ServerResponse;
    if (req.headers.authorization === expected()) {
      out.writeHead(200, { "content-type": "text/plain" });
      out.end("authorized");
    } else {
      out.writeHead(401, { "www-authenticate": challenge, "content-type": "text/plain" });
      out.end("unauthorized");
    }
  };
}

/** Collects everything published on the given diagnostics channels until `stop()`. */
export function captureChannels(names: readonly string[]): {
  readonly events: { channel: string; message: unknown }[];
  stop(): void;
} {
  const events: { channel: string; message: unknown }[] = [];
  const subs = names.map((channel) => {
    const fn = (message: unknown) => events.push({ channel, message });
    subscribe(channel, fn);
    return () => unsubscribe(channel, fn);
  });
  return {
    events,
    stop: () => {
      for (const s of subs) s();
    },
  };
}

/** Every auth channel, as the package exports them. */
export const AUTH_CHANNELS: readonly string[] = Object.values(authChannels).map((c) => String(c.name));

/** Core's channels. */
export const CORE_CHANNELS: readonly string[] = [
  "switchyard:core:request",
  "switchyard:core:response",
  "switchyard:core:error",
  "switchyard:core:redirect",
];
