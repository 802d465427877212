import type { Credential, HttpRequest } from "@switchyard/core";
import { HttpHeaders } from "@switchyard/core";

/** `Basic base64(user:password)`. */
export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** Why a credential may not go to `origin` (plain http without `allowInsecureHttp`), if it may not. */
export function insecureReason(origin: string, credential: Credential): string | undefined {
  if (origin.startsWith("https:") || credential.allowInsecureHttp === true) return undefined;
  return `credentials are not sent over plain http to ${origin} unless the credential has allowInsecureHttp`;
}

/** Headers for the plugin's own requests: an Accept, and the caller's User-Agent if it set one. */
export function baseHeaders(request: HttpRequest, accept: string): HttpHeaders {
  const agent = request.headers.get("user-agent");
  return HttpHeaders.from(agent === undefined ? { accept } : { accept, "user-agent": agent });
}
