/** What a response said about the rate limit, in milliseconds from now. */
export interface RateLimitHints {
  /** `Retry-After`: how long to wait before the next request. */
  readonly retryAfterMs?: number;
  /** Requests left in the current window (`RateLimit`, `RateLimit-Remaining`, `X-RateLimit-Remaining`). */
  readonly remaining?: number;
  /** When the current window resets (`RateLimit`, `RateLimit-Reset`, `X-RateLimit-Reset`). */
  readonly resetMs?: number;
  /** The quota and its window (`RateLimit-Policy`, or a `RateLimit`/`-Limit` with a `w` parameter). */
  readonly limit?: number;
  readonly windowMs?: number;
}

/** Reads a header by name; `HttpHeaders.get` fits. */
export type HeaderReader = (name: string) => string | undefined;

// A Unix time in seconds rather than a delay: GitHub's X-RateLimit-Reset is one.
const EPOCH_SECONDS = 1_000_000_000;
const MAX_MS = 2_147_483_647;

/**
 * Parses the rate-limit headers servers send: `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an
 * HTTP-date), the IETF httpapi drafts' `RateLimit` (draft-07 `limit=100, remaining=5, reset=30`
 * and draft-08+ `"default";r=5;t=30`), `RateLimit-Policy` (`100;w=60` or `"default";q=100;w=60`),
 * the older `RateLimit-Limit/-Remaining/-Reset`, and the common `X-RateLimit-*` (reset as a delay
 * or a Unix time). Pure; anything malformed is ignored, never thrown. Returns undefined when the
 * response said nothing.
 */
export function parseRateLimitHeaders(get: HeaderReader, now: number): RateLimitHints | undefined {
  const out: { -readonly [K in keyof RateLimitHints]: RateLimitHints[K] } = {};
  const retryAfter = get("retry-after");
  if (retryAfter !== undefined) {
    const ms = parseRetryAfterMs(retryAfter, now);
    if (ms !== undefined) out.retryAfterMs = ms;
  }
  const combined = get("ratelimit");
  if (combined !== undefined) {
    const p = parameters(combined);
    setCount(out, "remaining", p.get("r") ?? p.get("remaining"));
    setDelay(out, p.get("t") ?? p.get("reset"), now);
    setCount(out, "limit", p.get("q") ?? p.get("limit"));
    setWindow(out, p.get("w"));
  }
  const policy = get("ratelimit-policy");
  if (policy !== undefined) {
    const first = policy.split(",")[0]!;
    const p = parameters(first);
    const lead = /^\s*(\d+)/.exec(first)?.[1];
    setCount(out, "limit", p.get("q") ?? lead);
    setWindow(out, p.get("w"));
  }
  for (const prefix of ["ratelimit-", "x-ratelimit-"]) {
    if (out.remaining === undefined) setCount(out, "remaining", get(`${prefix}remaining`));
    if (out.resetMs === undefined) setDelay(out, get(`${prefix}reset`), now);
    if (out.limit === undefined) setCount(out, "limit", get(`${prefix}limit`)?.split(/[,;]/)[0]);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP-date; undefined when invalid. */
export function parseRetryAfterMs(value: string, now: number): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_MS);
  // Date.parse reads IMF-fixdate, RFC 850 and asctime; insist on a weekday name so "5.5" is not a date.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - now), MAX_MS) : undefined;
}

function parameters(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(/[,;]/)) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}

function setCount(
  out: { remaining?: number; limit?: number },
  field: "remaining" | "limit",
  text: string | undefined,
) {
  const n = integer(text);
  if (n !== undefined) out[field] = n;
}

function setDelay(out: { resetMs?: number }, text: string | undefined, now: number) {
  const n = integer(text);
  if (n === undefined) return;
  const ms = n >= EPOCH_SECONDS ? n * 1000 - now : n * 1000;
  out.resetMs = Math.min(Math.max(0, ms), MAX_MS);
}

function setWindow(out: { windowMs?: number }, text: string | undefined) {
  const n = integer(text);
  if (n !== undefined && n > 0) out.windowMs = Math.min(n * 1000, MAX_MS);
}
