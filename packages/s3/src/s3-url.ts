import type { QueryParam } from "./s3-key.ts";
import { encodeKey, parseQuery, percentDecode } from "./s3-key.ts";

/** An `s3://bucket/key` URL taken apart. */
export interface S3Location {
  readonly bucket: string;
  /** The object key, decoded (may be empty: the bucket itself). */
  readonly key: string;
  /** Query parameters (`versionId`, `response-content-type`...), decoded, in order. */
  readonly query: readonly QueryParam[];
}

/** Why an `s3:` URL was refused. */
export type S3UrlProblem = "no-bucket" | "bad-bucket" | "userinfo" | "port" | "bad-encoding";

/** The result of {@link parseS3Url}: a location, or the reason it is not one. */
export type ParsedS3Url =
  | { readonly ok: true; readonly location: S3Location }
  | { readonly ok: false; readonly problem: S3UrlProblem; readonly detail: string };

// S3 bucket naming rules (3-63 chars, lower case, digits, dots, hyphens) plus legacy buckets
// in us-east-1, which may hold upper case and underscores; those are sent path-style.
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;

/**
 * Parses an `s3://bucket/key?query` URL (a string or a URL whose scheme is `s3:`). The key is
 * everything after the first slash, percent-decoded; `+` is a literal plus. Dot segments
 * (`a/../b`) were already removed by the WHATWG URL parser, so keys holding `.` or `..` segments
 * cannot be expressed as URLs.
 */
export function parseS3Url(url: string | URL): ParsedS3Url {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    return { ok: false, problem: "no-bucket", detail: "not a URL" };
  }
  if (parsed.username || parsed.password)
    return {
      ok: false,
      problem: "userinfo",
      detail: "s3: URLs carry no userinfo; configure credentials instead",
    };
  if (parsed.port)
    return { ok: false, problem: "port", detail: "s3: URLs carry no port; configure an endpoint instead" };
  // For a non-special scheme the host is opaque and keeps its case and percent-escapes.
  const bucket = percentDecode(parsed.hostname);
  if (!bucket)
    return { ok: false, problem: "no-bucket", detail: "the URL names no bucket (s3://bucket/key)" };
  if (!BUCKET.test(bucket) || bucket.includes(".."))
    return {
      ok: false,
      problem: "bad-bucket",
      detail: `${JSON.stringify(bucket.slice(0, 80))} is not a valid bucket name`,
    };
  const key = percentDecode(parsed.pathname.startsWith("/") ? parsed.pathname.slice(1) : parsed.pathname);
  if (key === undefined)
    return { ok: false, problem: "bad-encoding", detail: "the key is not valid UTF-8 once decoded" };
  const query = parseQuery(parsed.search);
  if (query === undefined)
    return { ok: false, problem: "bad-encoding", detail: "the query is not valid UTF-8 once decoded" };
  return { ok: true, location: { bucket, key, query } };
}

/**
 * Builds the `s3://` URL for a bucket and key, encoding the key so that {@link parseS3Url} gives
 * it back unchanged (spaces, `+`, `%`, `?`, `#` and non-ASCII included).
 *
 * @example
 * s3Url("my-bucket", "reports/2024 Q1+Q2.csv"); // "s3://my-bucket/reports/2024%20Q1%2BQ2.csv"
 */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${encodeKey(key)}`;
}
