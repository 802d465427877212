import type diagnosticsChannel from "node:diagnostics_channel";
import { Context } from "./context.ts";
import { REDACTED, redactUrl, secretMatcher } from "./redact.ts";
import { collectUrlSecrets } from "./request-secrets.ts";

/**
 * Scrubs `value` of every secret known to `source` (a call's {@link Context}, or a list of secret
 * strings) and returns it. Strings are rewritten; errors are rewritten in place, every own data
 * property (message, stack, cause, enumerable fields, `errors` of an AggregateError) down the
 * whole `cause` chain, so `JSON.stringify`, `util.inspect` and a `toJSON` built on those fields
 * see only `***`; plain objects and arrays are rewritten in place (a frozen one is replaced by a
 * scrubbed frozen copy); other objects (a Context, a URL, a Buffer, class instances) pass as they
 * are. Cycles are safe. Costs nothing when the source holds no secret.
 *
 * @example
 * context.addSecret(token);
 * throw scrubSecrets(new MyPluginError(`server said: ${body}`), context);
 */
export function scrubSecrets<T>(value: T, source: Context | Iterable<string> | undefined): T {
  if (source === undefined) return value;
  const matcher = secretMatcher(source instanceof Context ? source.secrets() : source);
  if (matcher === undefined) return value;
  return scrubValue(value, matcher, new Set()) as T;
}

/**
 * Publishes `payload` on `channel` scrubbed of the secrets of `payload.context` (see
 * {@link scrubSecrets}): the helper for plugins that publish their own events. Does nothing when
 * nobody subscribes.
 */
export function publishScrubbed(
  channel: diagnosticsChannel.Channel,
  payload: Readonly<Record<string, unknown>>,
): void {
  if (!channel.hasSubscribers) return;
  const context = payload.context instanceof Context ? payload.context : undefined;
  channel.publish(scrubSecrets(payload, context));
}

/** Scrubs an error about to leave a call: the call's secrets plus those of `url` (core-internal). */
export function scrubCallError<T>(error: T, context: Context | undefined, url: string | undefined): T {
  const secrets = context === undefined ? [] : context.secrets();
  // Only a URL with userinfo, a query or a conda token can carry secrets: skip the parse otherwise.
  if (url !== undefined && (url.includes("@") || url.includes("?") || url.includes("/t/"))) {
    const fromUrl = new Set<string>();
    collectUrlSecrets(url, fromUrl);
    secrets.push(...fromUrl);
  }
  return secrets.length === 0 ? error : scrubSecrets(error, secrets);
}

function scrubValue(value: unknown, matcher: RegExp, seen: Set<object>): unknown {
  if (typeof value === "string") return value.replace(matcher, REDACTED);
  if (typeof value !== "object" || value === null || seen.has(value)) return value;
  if (value instanceof Error) {
    seen.add(value);
    scrubOwnProperties(value, matcher, seen);
    return value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  const frozen = !Object.isExtensible(value);
  let copy: Record<string | number, unknown> | unknown[] | undefined;
  for (const key of Object.keys(value)) {
    const before = (value as Record<string, unknown>)[key];
    const after = scrubValue(before, matcher, seen);
    if (after === before) continue;
    if (!frozen) (value as Record<string, unknown>)[key] = after;
    else {
      copy ??= Array.isArray(value) ? [...value] : { ...(value as object) };
      (copy as Record<string, unknown>)[key] = after;
    }
  }
  return copy === undefined ? value : Object.freeze(copy);
}

function scrubOwnProperties(error: Error, matcher: RegExp, seen: Set<object>): void {
  for (const key of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (descriptor === undefined) continue;
    if (!("value" in descriptor)) {
      // V8's `stack` is an accessor pair, formatted on first read (with the message of then).
      if (key === "stack" && descriptor.get !== undefined && descriptor.set !== undefined) {
        const stack = error.stack;
        if (typeof stack === "string") {
          const after = stack.replace(matcher, REDACTED);
          if (after !== stack) error.stack = after;
        }
      }
      continue;
    }
    let after = scrubValue(descriptor.value, matcher, seen);
    // Node's URL parser keeps the raw string it refused, userinfo and all.
    if (key === "input" && typeof after === "string") after = redactUrl(after);
    if (after === descriptor.value) continue;
    if (descriptor.writable) (error as unknown as Record<string, unknown>)[key] = after;
    else if (descriptor.configurable) Object.defineProperty(error, key, { ...descriptor, value: after });
  }
}
