/**
 * Where a middleware sits in the chain, outermost first. Core orders the chain by stage so that a
 * list given in any order still composes into a working client.
 *
 * - `observe`: watches whole calls (tracing, metrics). Outermost of all, so a call answered from a
 *   cache and a call retried three times are each seen once, whatever the list order.
 * - `cache`: answers from a stored response (an HTTP cache). Outermost, outside retry: a hit costs
 *   no retry, mirror, auth or signing work, while a miss or a revalidation goes through the whole
 *   inner chain once, so a `304` may come from a mirror over an authorised, retried request. It
 *   sees the URL the caller asked for (`oci:`, `s3:`, `gs:` before they are resolved) and keys by it.
 * - `policy`: decides whether and when to send again (retry, whole-call timeouts).
 * - `route`: chooses where the request goes (mirror).
 * - `resolve`: turns non-http URLs (`oci:`, `s3:`, `gs:`) into https requests.
 * - `authorize`: adds credentials for the host the request now targets (auth).
 * - `send`: per-attempt gates right before the transport (retry-after).
 */
export type Stage = "observe" | "cache" | "policy" | "route" | "resolve" | "authorize" | "send";

/** Every stage, outermost first. */
export const STAGES: readonly Stage[] = Object.freeze([
  "observe",
  "cache",
  "policy",
  "route",
  "resolve",
  "authorize",
  "send",
]);

/** Tells whether a value names a stage. */
export function isStage(value: unknown): value is Stage {
  return typeof value === "string" && (STAGES as readonly string[]).includes(value);
}
