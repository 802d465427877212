/**
 * URL helpers shared by the object-store plugins (`s3://bucket/key`, `gs://bucket/object`): one
 * canonical percent-encoding and one parser, so every resolve-stage plugin reads bucket URLs alike.
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 encoding: everything but the unreserved set as `%XX` of its UTF-8 bytes; `/` kept when asked. */
export function rfc3986Encode(text: string, keepSlash: boolean): string {
  let out = "";
  for (const char of text) {
    if (UNRESERVED.test(char) || (keepSlash && char === "/")) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, "utf8"))
      out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/**
 * Decodes `%XX` runs; a `%` not followed by two hex digits stays literal and `+` is a plus.
 * Returns undefined when the decoded bytes are not UTF-8.
 */
export function percentDecode(text: string): string | undefined {
  if (!text.includes("%")) return text;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let failed = false;
  const out = text.replace(PERCENT_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    try {
      return decoder.decode(bytes);
    } catch {
      failed = true;
      return run;
    }
  });
  return failed ? undefined : out;
}

/** Why a bucket URL was refused. */
export type BucketUrlProblem = "no-bucket" | "bad-bucket" | "userinfo" | "port" | "bad-encoding";

/** A bucket URL taken apart: the bucket, the decoded object path, the raw query (with `?`). */
export type ParsedBucketUrl =
  | { readonly ok: true; readonly bucket: string; readonly object: string; readonly search: string }
  | { readonly ok: false; readonly problem: BucketUrlProblem; readonly detail: string };

/** What differs between stores when parsing their URLs. */
export interface BucketUrlRules {
  /** The scheme as users write it, for messages: `s3`, `gs`. */
  readonly scheme: string;
  /** Valid bucket names. */
  readonly bucket: RegExp;
  /** What to configure instead of userinfo in the URL, for messages: `credentials`, `a token provider`. */
  readonly credentials: string;
  /** What the object part is called, for messages: `key`, `object name`. */
  readonly objectNoun: string;
}

/**
 * Parses `scheme://bucket/object?query`. The object is everything after the first slash,
 * percent-decoded (`+` is a literal plus). Dot segments (`a/../b`) were already removed by the
 * WHATWG URL parser, so objects holding `.` or `..` segments cannot be written as URLs. Never throws.
 */
export function parseBucketUrl(url: string | URL, rules: BucketUrlRules): ParsedBucketUrl {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    return { ok: false, problem: "no-bucket", detail: "not a URL" };
  }
  const { scheme } = rules;
  if (parsed.username || parsed.password) {
    return {
      ok: false,
      problem: "userinfo",
      detail: `${scheme}: URLs carry no userinfo; configure ${rules.credentials} instead`,
    };
  }
  if (parsed.port) {
    return {
      ok: false,
      problem: "port",
      detail: `${scheme}: URLs carry no port; configure an endpoint instead`,
    };
  }
  // For a non-special scheme the host is opaque and keeps its case and percent-escapes.
  const bucket = percentDecode(parsed.hostname);
  if (!bucket) {
    return { ok: false, problem: "no-bucket", detail: `the URL names no bucket (${scheme}://bucket/...)` };
  }
  if (!rules.bucket.test(bucket) || bucket.includes("..")) {
    return {
      ok: false,
      problem: "bad-bucket",
      detail: `${JSON.stringify(bucket.slice(0, 80))} is not a valid bucket name`,
    };
  }
  const object = percentDecode(parsed.pathname.startsWith("/") ? parsed.pathname.slice(1) : parsed.pathname);
  if (object === undefined) {
    return {
      ok: false,
      problem: "bad-encoding",
      detail: `the ${rules.objectNoun} is not valid UTF-8 once decoded`,
    };
  }
  return { ok: true, bucket, object, search: parsed.search };
}
