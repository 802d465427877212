/** The SigV4 fields of a request, from the `Authorization` header or from presigned query parameters. */
export interface SigV4Fields {
  kind: "header" | "query";
  accessKeyId: string;
  /** Credential scope date, `YYYYMMDD`. */
  scopeDate: string;
  scopeRegion: string;
  scopeService: string;
  /** Lower-case header names, in the order given. */
  signedHeaders: string[];
  signature: string;
  /** `X-Amz-Date` for query auth (headers carry theirs in `x-amz-date`). */
  amzDate?: string;
  /** `X-Amz-Expires` for query auth, seconds. */
  expires?: number;
  /** `X-Amz-Security-Token` for query auth. */
  securityToken?: string;
}

/** Why a request's auth could not be parsed. */
export interface SigV4ParseError {
  status: number;
  code: string;
  message: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";

function parseCredential(
  value: string,
): Omit<SigV4Fields, "kind" | "signedHeaders" | "signature"> | undefined {
  const parts = value.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request" || !/^\d{8}$/.test(parts[1] ?? "")) return undefined;
  const [accessKeyId = "", scopeDate = "", scopeRegion = "", scopeService = ""] = parts;
  if (accessKeyId === "") return undefined;
  return { accessKeyId, scopeDate, scopeRegion, scopeService };
}

/** Parses `Authorization: AWS4-HMAC-SHA256 Credential=.., SignedHeaders=.., Signature=..`. */
export function parseAuthorizationHeader(header: string): SigV4Fields | SigV4ParseError {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) {
    return {
      status: 400,
      code: "InvalidRequest",
      message: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
    };
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = parseCredential(fields.get("Credential") ?? "");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) {
    return {
      status: 400,
      code: "AuthorizationHeaderMalformed",
      message: "The authorization header is malformed; expected Credential, SignedHeaders and Signature.",
    };
  }
  return { kind: "header", ...credential, signedHeaders: signedHeaders.split(";"), signature };
}

/** Parses presigned-URL query auth (`X-Amz-Algorithm`, `X-Amz-Credential`, ... `X-Amz-Signature`). */
export function parseQueryAuth(query: URLSearchParams): SigV4Fields | SigV4ParseError {
  const malformed = (what: string): SigV4ParseError => ({
    status: 400,
    code: "AuthorizationQueryParametersError",
    message: `Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters (${what}).`,
  });
  if (query.get("X-Amz-Algorithm") !== ALGORITHM) return malformed("X-Amz-Algorithm");
  const credential = parseCredential(query.get("X-Amz-Credential") ?? "");
  if (!credential) return malformed("X-Amz-Credential");
  const amzDate = query.get("X-Amz-Date") ?? "";
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) return malformed("X-Amz-Date");
  const expires = Number(query.get("X-Amz-Expires"));
  if (!Number.isInteger(expires) || expires < 1 || expires > 604800) return malformed("X-Amz-Expires");
  const signedHeaders = query.get("X-Amz-SignedHeaders");
  if (!signedHeaders) return malformed("X-Amz-SignedHeaders");
  const signature = query.get("X-Amz-Signature") ?? "";
  if (!/^[0-9a-f]{64}$/.test(signature)) return malformed("X-Amz-Signature");
  const securityToken = query.get("X-Amz-Security-Token") ?? undefined;
  return {
    kind: "query",
    ...credential,
    signedHeaders: signedHeaders.split(";"),
    signature,
    amzDate,
    expires,
    ...(securityToken === undefined ? {} : { securityToken }),
  };
}

/** Parses `YYYYMMDDTHHMMSSZ` into a Date, or `undefined`. */
export function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
