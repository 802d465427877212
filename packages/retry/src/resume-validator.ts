import type { HttpHeaders } from "@switchyard/core";

/** What a download needs to be resumed with `Range` + `If-Range`. */
export interface ResumePoint {
  /** The `If-Range` value: a strong ETag, or a Last-Modified date that counts as strong. */
  readonly validator: string;
  /** Whether the validator is the ETag (else Last-Modified). */
  readonly isEtag: boolean;
  /** The full length, from Content-Length, when known. */
  readonly length: number | undefined;
}

/** A parsed `Content-Range: bytes first-last/complete` (RFC 9110 §14.4). */
export interface ContentRange {
  readonly first: number;
  readonly last: number;
  /** The full length, or `undefined` for `*`. */
  readonly complete: number | undefined;
}

const STRONG_ETAG = /^"[\x21\x23-\x7e\x80-\xff]*"$/;
const CONTENT_RANGE = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/;
const LENGTH = /^\d{1,15}$/;

/**
 * Whether a 200 response can be resumed if its body breaks, and how: the server must advertise
 * `Accept-Ranges: bytes`, send the body without a content coding (ranges would then apply to the
 * coded bytes), and offer a strong validator for `If-Range` (RFC 9110 §13.1.5): a strong ETag, or a
 * `Last-Modified` at least one second before the response's `Date` (§8.8.2.2). Weak ETags never
 * qualify: If-Range needs a byte-for-byte match.
 */
export function resumePoint(status: number, headers: HttpHeaders): ResumePoint | undefined {
  if (status !== 200) return undefined;
  const ranges = headers.get("accept-ranges");
  if (ranges === undefined || !tokens(ranges).includes("bytes")) return undefined;
  const coding = headers.get("content-encoding");
  if (coding !== undefined && !tokens(coding).every((t) => t === "identity")) return undefined;
  const lengthText = headers.get("content-length");
  const length = lengthText !== undefined && LENGTH.test(lengthText.trim()) ? Number(lengthText) : undefined;
  const etag = headers.get("etag")?.trim();
  if (etag !== undefined && STRONG_ETAG.test(etag)) return { validator: etag, isEtag: true, length };
  if (etag !== undefined) return undefined; // weak or malformed: do not fall back to a date
  const lastModified = headers.get("last-modified")?.trim();
  const date = headers.get("date");
  if (lastModified === undefined || date === undefined) return undefined;
  const modified = Date.parse(lastModified);
  const served = Date.parse(date);
  if (!Number.isFinite(modified) || !Number.isFinite(served) || served - modified < 1000) return undefined;
  return { validator: lastModified, isEtag: false, length };
}

/** Parses a `Content-Range` value; `undefined` when it is not a valid satisfied byte range. */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  if (value === undefined) return undefined;
  const m = CONTENT_RANGE.exec(value.trim());
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2]);
  const complete = m[3] === "*" ? undefined : Number(m[3]);
  if (last < first || (complete !== undefined && last >= complete)) return undefined;
  return { first, last, complete };
}

/**
 * Checks that a 206 answer continues the interrupted body exactly at `offset`; returns why not,
 * or `undefined` when it does.
 */
export function checkContinuation(
  point: ResumePoint,
  offset: number,
  headers: HttpHeaders,
): string | undefined {
  const range = parseContentRange(headers.get("content-range"));
  if (range === undefined) {
    return `the 206 answer has no valid Content-Range (${JSON.stringify(headers.get("content-range") ?? null)})`;
  }
  if (range.first !== offset) return `the 206 answer starts at byte ${range.first}, not ${offset}`;
  if (point.length !== undefined && range.complete !== undefined && range.complete !== point.length) {
    return `the resource is now ${range.complete} bytes long, not ${point.length}`;
  }
  if (point.length !== undefined && range.last !== point.length - 1) {
    return `the 206 answer ends at byte ${range.last}, not at the end (${point.length - 1})`;
  }
  const etag = headers.get("etag")?.trim();
  if (point.isEtag && etag !== undefined && etag !== point.validator) return "the ETag changed";
  return undefined;
}

function tokens(value: string): string[] {
  return value
    .toLowerCase()
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
