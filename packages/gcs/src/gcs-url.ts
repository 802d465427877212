import type { BucketUrlProblem } from "@switchyard/core";
import { parseBucketUrl } from "@switchyard/core";
import { encodeName } from "./object-name.ts";

/** A `gs://bucket/object` (or `gcs://`) URL taken apart. */
export interface GcsLocation {
  readonly bucket: string;
  /** The object name, decoded; empty for the bucket itself. */
  readonly object: string;
  /** The query as written (`generation=...`), without `?`; passed through to GCS. */
  readonly search: string;
}

/** Why a `gs:` URL was refused. */
export type GcsUrlProblem = BucketUrlProblem;

/** The result of {@link parseGcsUrl}. */
export type ParsedGcsUrl =
  | { readonly ok: true; readonly location: GcsLocation }
  | { readonly ok: false; readonly problem: GcsUrlProblem; readonly detail: string };

// GCS bucket names: 3-63 characters (up to 222 with dots), lower case, digits, - _ and dots.
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/** The URL schemes this plugin serves. */
export const GCS_SCHEMES: readonly string[] = Object.freeze(["gs:", "gcs:"]);

/**
 * Parses `gs://bucket/object?query` or `gcs://bucket/object`. The object name is everything after
 * the first slash, percent-decoded (`+` is a literal plus).
 */
export function parseGcsUrl(url: string | URL): ParsedGcsUrl {
  const parsed = parseBucketUrl(url, {
    scheme: "gs",
    bucket: BUCKET,
    credentials: "a token provider",
    objectNoun: "object name",
  });
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    location: { bucket: parsed.bucket, object: parsed.object, search: parsed.search.replace(/^\?/, "") },
  };
}

/** Which GCS API serves object requests. */
export type GcsApi = "xml" | "json";

/** Builds `gs://bucket/object` with the object name encoded so that parsing gives it back. */
export function gcsUrl(bucket: string, object: string): string {
  return `gs://${bucket}/${encodeName(object, true)}`;
}

/** The path and query of an object request on `api`, for `method`. */
export function objectPath(api: GcsApi, method: string, location: GcsLocation): string {
  const { bucket, object, search } = location;
  if (api === "xml")
    return `/${encodeName(bucket, false)}/${encodeName(object, true)}${search ? `?${search}` : ""}`;
  const extra = search ? `&${search}` : "";
  if (method === "PUT")
    return `/upload/storage/v1/b/${encodeName(bucket, false)}/o?uploadType=media&name=${encodeName(object, false)}${extra}`;
  const base = `/storage/v1/b/${encodeName(bucket, false)}/o/${encodeName(object, false)}`;
  return method === "GET" ? `${base}?alt=media${extra}` : `${base}${search ? `?${search}` : ""}`;
}

/** The HTTP method sent for `method` on `api` (JSON uploads are POSTs). */
export function apiMethod(api: GcsApi, method: string): string {
  return api === "json" && method === "PUT" ? "POST" : method;
}
