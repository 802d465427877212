import { SignatureV4 } from "@smithy/signature-v4";
import { redactUrl } from "@switchyard/core";
import type { S3Keys } from "./credentials.ts";
import { S3RequestError } from "./errors.ts";
import type { QueryParam } from "./s3-key.ts";
import { formatQuery, parseQuery } from "./s3-key.ts";
import { NodeSha256 } from "./sha256.ts";

/** The payload hash S3 accepts for bodies that are streamed, not hashed. */
export const UNSIGNED_PAYLOAD: string = "UNSIGNED-PAYLOAD";

/** What one signature covers. */
export interface SignInput {
  readonly method: string;
  /** The request URL; its path must already be in S3's canonical encoding. */
  readonly url: URL;
  /** Headers to sign besides `host` (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body, or {@link UNSIGNED_PAYLOAD}. */
  readonly payloadHash: string;
  readonly region: string;
  readonly keys: S3Keys;
  readonly date: Date;
}

/** Whether a request header takes part in the signature: S3 requires `x-amz-*` to be signed. */
export function isSignedHeader(name: string): boolean {
  return name.startsWith("x-amz-") || name === "content-type" || name === "content-md5";
}

function queryRecord(
  method: string,
  url: URL,
  params: readonly QueryParam[],
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const { name, value } of params) {
    // smithy builds the canonical query in a plain object, where this name is the prototype
    // setter: it would sign "[object Object]" and S3 would answer SignatureDoesNotMatch.
    if (name === "__proto__") {
      throw new S3RequestError(
        "unsignable-query",
        'the query parameter name "__proto__" cannot be signed; S3 ignores it, so drop it',
        { method, url: redactUrl(url.href) },
      );
    }
    // A bare `?uploads` is canonically `uploads=`; smithy drops null values, so pass "".
    const v = value ?? "";
    const prev = out[name];
    out[name] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function signer(keys: S3Keys, region: string): SignatureV4 {
  return new SignatureV4({
    credentials: {
      accessKeyId: keys.accessKeyId,
      secretAccessKey: keys.secretAccessKey,
      ...(keys.sessionToken ? { sessionToken: keys.sessionToken } : {}),
    },
    region,
    service: "s3",
    sha256: NodeSha256,
    // S3 signs the path as sent (single encoding, no dot-segment normalisation).
    uriEscapePath: false,
  });
}

function smithyRequest(method: string, url: URL, headers: Record<string, string>) {
  return {
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: queryRecord(method, url, parseQuery(url.search) ?? []),
    headers,
  };
}

/**
 * Signs one request with SigV4 (header form) and returns the headers to add:
 * `authorization`, `x-amz-date`, `x-amz-content-sha256` and, for temporary keys,
 * `x-amz-security-token`. `host` is signed as `url.host`, which is what undici sends.
 */
export async function signRequest(input: SignInput): Promise<Record<string, string>> {
  const headers: Record<string, string> = { ...input.headers, host: input.url.host };
  headers["x-amz-content-sha256"] = input.payloadHash;
  const signed = await signer(input.keys, input.region).sign(
    smithyRequest(input.method, input.url, headers),
    {
      signingDate: input.date,
    },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers as Record<string, string>)) {
    const lower = name.toLowerCase();
    if (lower !== "host" && !(lower in input.headers)) out[lower] = value;
  }
  return out;
}

/** What a presigned URL is made from. */
export interface PresignInput {
  readonly method: string;
  readonly url: URL;
  readonly region: string;
  readonly keys: S3Keys;
  readonly date: Date;
  /** Seconds the URL stays valid (1 to 604800). */
  readonly expiresIn: number;
}

/** A presigned URL (query-string SigV4, `UNSIGNED-PAYLOAD`, only `host` signed). */
export async function presignRequest(input: PresignInput): Promise<string> {
  const headers: Record<string, string> = { host: input.url.host, "x-amz-content-sha256": UNSIGNED_PAYLOAD };
  const presigned = await signer(input.keys, input.region).presign(
    smithyRequest(input.method, input.url, headers),
    {
      signingDate: input.date,
      expiresIn: input.expiresIn,
      // Query-signed S3 requests always hash the payload as UNSIGNED-PAYLOAD; the header only feeds
      // that value to smithy and is neither signed nor hoisted into the query.
      unsignableHeaders: new Set(["x-amz-content-sha256"]),
      unhoistableHeaders: new Set(["x-amz-content-sha256"]),
    },
  );
  const params: QueryParam[] = [];
  for (const [name, value] of Object.entries(presigned.query ?? {})) {
    if (value === null || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.push({ name, value: v });
  }
  return `${input.url.protocol}//${input.url.host}${input.url.pathname}${formatQuery(params)}`;
}
