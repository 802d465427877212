import type { BucketUrlProblem } from "@switchyard/core";
import { parseBucketUrl } from "@switchyard/core";
import type { BucketNameRules } from "./bucket-name.ts";
import { bucketNameProblem } from "./bucket-name.ts";
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

// The widest shape any rule set accepts; bucketNameProblem then applies the chosen rules.
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;

/** Options of {@link parseS3Url}. */
export interface ParseS3UrlOptions {
  /** Which bucket names are accepted (see {@link BucketNameRules}). @default "aws" */
  readonly bucketNames?: BucketNameRules | undefined;
}

/**
 * Parses an `s3://bucket/key?query` URL (a string or a URL whose scheme is `s3:`). The bucket name
 * must follow the S3 general-purpose naming rules unless `bucketNames: "relaxed"`. The key is
 * everything after the first slash, percent-decoded; `+` is a literal plus. Dot segments
 * (`a/../b`) were already removed by the WHATWG URL parser, so keys holding `.` or `..` segments
 * cannot be expressed as URLs.
 */
export function parseS3Url(url: string | URL, options: ParseS3UrlOptions = {}): ParsedS3Url {
  const parsed = parseBucketUrl(url, {
    scheme: "s3",
    bucket: BUCKET,
    credentials: "credentials",
    objectNoun: "key",
  });
  if (!parsed.ok) return parsed;
  const rules = options.bucketNames ?? "aws";
  const problem = bucketNameProblem(parsed.bucket, rules);
  if (problem !== undefined) {
    const hint = rules === "aws" ? ' (an S3-compatible store that allows it: bucketNames: "relaxed")' : "";
    return {
      ok: false,
      problem: "bad-bucket",
      detail: `bucket name ${JSON.stringify(parsed.bucket.slice(0, 80))} ${problem}${hint}`,
    };
  }
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
