import type { Context, ContextKey } from "./context.ts";
import { contextKey } from "./context.ts";
import { InvalidOptionsError } from "./errors.ts";
import type { HttpHeaders } from "./headers.ts";
import { isSecretHeader } from "./redact.ts";
import type { UrlParts } from "./request.ts";

/**
 * Header names of the caller's own that are secrets too (lower case), on top of those
 * `isSecretHeader()` knows. The client's `secretHeaders` option puts them in every call's context;
 * a caller may set them per call, and a plugin reads them here.
 */
export const secretHeadersKey: ContextKey<readonly string[]> =
  contextKey<readonly string[]>("switchyard:secret-headers");

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Checks and lower-cases the `secretHeaders` option; throws InvalidOptionsError. */
export function checkSecretHeaders(names: unknown): readonly string[] | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names)) throw new InvalidOptionsError("secretHeaders must be an array of header names");
  const out: string[] = [];
  for (const name of names) {
    if (typeof name !== "string" || !TOKEN.test(name)) {
      throw new InvalidOptionsError(
        `secretHeaders must hold header names, got ${JSON.stringify(String(name).slice(0, 64))}`,
      );
    }
    out.push(name.toLowerCase());
  }
  return out.length === 0 ? undefined : Object.freeze(out);
}

/**
 * Whether header `name` stays behind when a request moves to another origin: every secret header
 * (`isSecretHeader`: authorization, proxy-authorization, cookie, x-api-key, x-amz-security-token,
 * x-auth-token, anything named like a token, secret, password or API key), `host` (it names the
 * origin the caller asked for), and the names in `extra`.
 */
export function isCrossOriginSecret(name: string, extra?: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return lower === "host" || isSecretHeader(lower) || extra?.includes(lower) === true;
}

/** `headers` without every header {@link isCrossOriginSecret} names (the same object when none). */
export function withoutCrossOriginSecrets(headers: HttpHeaders, context?: Context): HttpHeaders {
  const extra = context?.get(secretHeadersKey);
  const names = headers.keys().filter((name) => isCrossOriginSecret(name, extra));
  return names.length === 0 ? headers : headers.delete(...names);
}

/** `scheme://host:port` of a URL; unlike `URL.origin` it is not `"null"` for `oci:` or `s3:`. */
export function originOf(url: string | URL | UrlParts): string {
  const parsed = typeof url === "string" ? new URL(url) : url;
  return `${parsed.protocol}//${parsed.host}`;
}

/**
 * The headers `request` may carry to `target`: all of them on the same origin, and without the
 * cross-origin secrets (see {@link isCrossOriginSecret}, plus the call's `secretHeadersKey`) on
 * another one. The one rule every hop that changes origin follows: core's redirects, mirror's
 * rewrite, oci's blob redirects, and any plugin that sends a request somewhere else.
 *
 * @example
 * const url = "https://cdn.example.net/blob";
 * return next(request.with({ url, headers: stripCrossOriginSecrets(request, url, context) }));
 */
export function stripCrossOriginSecrets(
  request: { readonly headers: HttpHeaders; readonly urlParts: UrlParts },
  target: string | URL,
  context?: Context,
): HttpHeaders {
  if (originOf(request.urlParts) === originOf(target)) return request.headers;
  return withoutCrossOriginSecrets(request.headers, context);
}
