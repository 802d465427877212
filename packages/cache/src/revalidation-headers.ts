import type CachePolicy from "http-cache-semantics";
import type { Policy } from "./policy.ts";

type PolicyRequest = CachePolicy.Request;

/** Whether a 304 changed the stored validators (then the store keeps the new ones). */
export function validatorsChanged(before: Policy, after: Policy): boolean {
  const a = before.responseHeaders();
  const b = after.responseHeaders();
  return a.etag !== b.etag || a["last-modified"] !== b["last-modified"];
}

/** The conditional headers to revalidate a stored response with; undefined when it has no validator. */
export function conditionals(policy: Policy, preq: PolicyRequest): Record<string, string> | undefined {
  const all = policy.revalidationHeaders(preq);
  const out: Record<string, string> = {};
  const etag = all["if-none-match"];
  const since = all["if-modified-since"];
  if (typeof etag === "string") out["if-none-match"] = etag;
  if (typeof since === "string") out["if-modified-since"] = since;
  return etag === undefined && since === undefined ? undefined : out;
}
