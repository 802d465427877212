import type { Credential } from "@switchyard/core";

/** What to do to a request for a credential. */
export type CredentialPlan =
  | { readonly action: "header"; readonly name: string; readonly value: string }
  | { readonly action: "url"; readonly url: string }
  | { readonly action: "none"; readonly reason: "s3-kind" | "header-present" | "token-in-path" };

// A conda token already at the start of the path: `/t/<token>` then `/` or the end.
const TOKEN_IN_PATH = /^\/t\/[^/]+(\/|$)/;

/** `Basic base64(username:password)` with UTF-8 (RFC 7617 §2.1 charset="UTF-8"). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** Whether the URL's path already starts with a conda token segment. */
export function hasCondaToken(url: URL): boolean {
  return TOKEN_IN_PATH.test(url.pathname);
}

/**
 * The URL with `/t/<token>` inserted at the start of its path, or undefined when the path already
 * starts with a token (never inserted twice). The token is percent-encoded as one path segment.
 */
export function insertCondaToken(url: URL, token: string): string | undefined {
  if (hasCondaToken(url)) return undefined;
  const out = new URL(url.href);
  out.pathname = `/t/${encodeURIComponent(token)}${url.pathname === "/" ? "/" : url.pathname}`;
  return out.href;
}

/**
 * How to apply a credential to a request with this URL and these header names. Never overwrites
 * a header the request already has; s3 credentials are for the s3 plugin to sign with, so they
 * are not applied here.
 */
export function planCredential(
  url: URL,
  hasHeader: (name: string) => boolean,
  credential: Credential,
): CredentialPlan {
  switch (credential.kind) {
    case "bearer":
      if (hasHeader("authorization")) return { action: "none", reason: "header-present" };
      return { action: "header", name: "authorization", value: `Bearer ${credential.token}` };
    case "basic":
      if (hasHeader("authorization")) return { action: "none", reason: "header-present" };
      return {
        action: "header",
        name: "authorization",
        value: basicAuthorization(credential.username, credential.password),
      };
    case "header":
      if (hasHeader(credential.name)) return { action: "none", reason: "header-present" };
      return { action: "header", name: credential.name.toLowerCase(), value: credential.value };
    case "conda-token": {
      const next = insertCondaToken(url, credential.token);
      return next === undefined ? { action: "none", reason: "token-in-path" } : { action: "url", url: next };
    }
    case "s3":
      return { action: "none", reason: "s3-kind" };
  }
}
