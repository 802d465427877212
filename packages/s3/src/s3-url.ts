import type { BucketUrlProblem } from "@switchyard/core";
import { parseBucketUrl } from "@switchyard/core";
import type { QueryParam } from "./s3-key.ts";
import { encodeKey, parseQuery } from "./s3-key.ts";

/** An `s3://bucket/key` URL taken apart. */
export interface S3Location {
  readonly bucket: string;
  /** The object key, decoded (may be empty: the bucket itself). */
  readonly key: string;
  /** Query parameters (`versionId`, `response-content-type`...), decoded, in order. */
  readonly query: readonly QueryParam[];
}

/** Why an `s3:` URL was refused. */
export type S3UrlProblem = BucketUrlProblem;

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
  const parsed = parseBucketUrl(url, {
    scheme: "s3",
    bucket: BUCKET,
    credentials: "credentials",
    objectNoun: "key",
  });
  if (!parsed.ok) return parsed;
  const query = parseQuery(parsed.search);
  if (query === undefined)
    return { ok: false, problem: "bad-encoding", detail: "the query is not valid UTF-8 once decoded" };
  return { ok: true, location: { bucket: parsed.bucket, key: parsed.object, query } };
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
