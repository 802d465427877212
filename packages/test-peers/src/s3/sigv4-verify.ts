import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import aws4 from "aws4";
import { safeDecode } from "./safe-decode.ts";
import { parseAmzDate, parseAuthorizationHeader, parseQueryAuth, type SigV4Fields } from "./sigv4-parse.ts";

/** An access key the front accepts. */
export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests must carry this `x-amz-security-token` (or `X-Amz-Security-Token`). */
  sessionToken?: string;
}

/** A request as the verifier sees it. */
export interface SigV4Request {
  method: string;
  /** Raw request target: path and query exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
}

/** Settings of {@link verifySigV4}. */
export interface SigV4VerifyOptions {
  credentials: readonly SigV4Credentials[];
  /** Region expected in the credential scope. */
  region: string;
  /** Clock for skew and expiry checks. @default new Date() */
  now?: Date;
  /** Largest accepted difference between `x-amz-date` and now, ms. @default 15 minutes (S3's) */
  maxSkewMs?: number;
}

/** A request rejected with an S3 error. */
export interface SigV4Failure {
  ok: false;
  status: number;
  code: string;
  message: string;
  /** Extra XML elements (e.g. CanonicalRequest and StringToSign for SignatureDoesNotMatch). */
  details?: Record<string, string>;
}

/** A request whose signature checked out (or that carried none: `kind: "anonymous"`). */
export interface SigV4Success {
  ok: true;
  kind: "header" | "query" | "anonymous";
  accessKeyId?: string;
  /** `x-amz-content-sha256` for header auth; `UNSIGNED-PAYLOAD` for query auth and anonymous requests. */
  payloadHash: string;
}

const fail = (
  status: number,
  code: string,
  message: string,
  details?: Record<string, string>,
): SigV4Failure => ({
  ok: false,
  status,
  code,
  message,
  ...(details ? { details } : {}),
});

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * aws4 treats a raw `+` in a path as a space (form encoding); S3 treats it as a literal `+`.
 * Escaping it first keeps aws4's canonical URI equal to S3's.
 */
function pathForAws4(url: string, dropSignature: boolean): string {
  const q = url.indexOf("?");
  const path = (q < 0 ? url : url.slice(0, q)).replace(/\+/g, "%2B");
  if (q < 0) return path;
  let query = url.slice(q + 1);
  if (dropSignature) {
    query = query
      .split("&")
      .filter((piece) => safeDecode(piece.split("=")[0] ?? "") !== "X-Amz-Signature")
      .join("&");
  }
  return query === "" ? path : `${path}?${query}`;
}

/**
 * Checks a request's AWS Signature Version 4 (header or presigned query) by recomputing it with the
 * npm `aws4` signer, independent of `@smithy/signature-v4`. Checks the access key, scope, clock skew,
 * expiry, session token, that every `x-amz-*` header is signed, and the signature itself.
 */
export function verifySigV4(request: SigV4Request, options: SigV4VerifyOptions): SigV4Success | SigV4Failure {
  const now = options.now ?? new Date();
  const authorization = headerValue(request.headers, "authorization");
  const query = new URL(request.url, "http://x").searchParams;
  const presigned = query.has("X-Amz-Algorithm") || query.has("X-Amz-Signature");
  if (authorization !== undefined && presigned) {
    return fail(
      400,
      "InvalidArgument",
      "Only one auth mechanism allowed; use the Authorization header or query auth.",
    );
  }
  if (authorization === undefined && !presigned)
    return { ok: true, kind: "anonymous", payloadHash: "UNSIGNED-PAYLOAD" };

  const parsed =
    authorization !== undefined ? parseAuthorizationHeader(authorization) : parseQueryAuth(query);
  if (!("kind" in parsed)) return fail(parsed.status, parsed.code, parsed.message);
  const fields: SigV4Fields = parsed;

  const credentials = options.credentials.find((c) => c.accessKeyId === fields.accessKeyId);
  if (!credentials) {
    return fail(
      403,
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
      {
        AWSAccessKeyId: fields.accessKeyId,
      },
    );
  }
  if (fields.scopeService !== "s3") {
    return fail(
      400,
      "AuthorizationHeaderMalformed",
      `the service '${fields.scopeService}' is wrong; expecting 's3'`,
    );
  }
  if (fields.scopeRegion !== options.region) {
    return fail(
      400,
      "AuthorizationHeaderMalformed",
      `the region '${fields.scopeRegion}' is wrong; expecting '${options.region}'`,
      { Region: options.region },
    );
  }

  const amzDateText =
    fields.kind === "query" ? (fields.amzDate ?? "") : (headerValue(request.headers, "x-amz-date") ?? "");
  const amzDate = parseAmzDate(amzDateText);
  if (!amzDate)
    return fail(403, "AccessDenied", "AWS authentication requires a valid x-amz-date header or X-Amz-Date.");
  if (!amzDateText.startsWith(fields.scopeDate)) {
    return fail(403, "SignatureDoesNotMatch", "The credential scope date does not match x-amz-date.");
  }
  const maxSkew = options.maxSkewMs ?? 15 * 60_000;
  if (fields.kind === "query") {
    if (amzDate.getTime() - now.getTime() > maxSkew)
      return fail(403, "AccessDenied", "Request is not valid yet");
    if (now.getTime() > amzDate.getTime() + (fields.expires ?? 0) * 1000) {
      return fail(403, "AccessDenied", "Request has expired", {
        Expires: new Date(amzDate.getTime() + (fields.expires ?? 0) * 1000).toISOString(),
        ServerTime: now.toISOString(),
      });
    }
  } else if (Math.abs(amzDate.getTime() - now.getTime()) > maxSkew) {
    return fail(
      403,
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
      {
        RequestTime: amzDateText,
        ServerTime: now.toISOString(),
      },
    );
  }

  const token =
    fields.kind === "query" ? fields.securityToken : headerValue(request.headers, "x-amz-security-token");
  if (token !== credentials.sessionToken) {
    return fail(403, "InvalidToken", "The provided token is malformed or otherwise invalid.");
  }

  const signed = new Set(fields.signedHeaders);
  if (!signed.has("host"))
    return fail(400, "AuthorizationHeaderMalformed", "The host header must be signed.");
  let payloadHash = "UNSIGNED-PAYLOAD";
  if (fields.kind === "header") {
    const unsigned = Object.keys(request.headers).filter(
      (name) => name.startsWith("x-amz-") && !signed.has(name),
    );
    if (unsigned.length > 0) {
      return fail(403, "AccessDenied", "There were headers present in the request which were not signed", {
        HeadersNotSigned: unsigned.join(", "),
      });
    }
    const contentSha = headerValue(request.headers, "x-amz-content-sha256");
    if (contentSha === undefined) {
      return fail(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    }
    payloadHash = contentSha;
  }

  const headers: Record<string, string> = {};
  for (const name of fields.signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value === undefined) {
      return fail(403, "SignatureDoesNotMatch", `The signed header ${name} is missing from the request.`);
    }
    headers[name] = value;
  }
  const signer = new aws4.RequestSigner(
    {
      method: request.method,
      path: pathForAws4(request.url, fields.kind === "query"),
      headers,
      service: "s3",
      region: fields.scopeRegion,
      signQuery: fields.kind === "query",
      // Sign exactly what the client signed, including headers aws4 skips by default (range, user-agent...).
      extraHeadersToInclude: Object.fromEntries(fields.signedHeaders.map((name) => [name, true])),
    } as aws4.Request,
    // The session token was compared above; given to aws4 it would be added to the request.
    { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  );
  signer.datetime = amzDateText;
  let expected: string;
  try {
    expected = signer.signature();
  } catch {
    // aws4 decodes path segments: malformed percent-encoding throws there.
    return fail(400, "InvalidURI", "Couldn't parse the specified URI.");
  }
  if (signer.signedHeaders() !== fields.signedHeaders.join(";") || !sameHex(expected, fields.signature)) {
    return fail(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      {
        AWSAccessKeyId: fields.accessKeyId,
        StringToSign: signer.stringToSign(),
        CanonicalRequest: signer.canonicalString(),
      },
    );
  }
  return { ok: true, kind: fields.kind, accessKeyId: fields.accessKeyId, payloadHash };
}
