import type { Context } from "./context.ts";
import { originOf, withoutCrossOriginSecrets } from "./cross-origin.ts";
import { BodyNotReplayableError, RedirectError } from "./errors.ts";
import { redirectReferer } from "./fetch-referrer.ts";
import { redactUrl, redactUrlError } from "./redact.ts";
import type { HttpRequest } from "./request.ts";
import type { HttpResponse } from "./response.ts";

/** @default 20, as fetch does */
export const DEFAULT_MAX_REDIRECTS = 20;

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

// Headers that describe a body; dropped when a redirect turns the request into a GET.
const BODY_HEADERS = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
  "transfer-encoding",
];

/** Whether `response` is a redirect core should act on. */
export function isRedirect(response: HttpResponse): boolean {
  return REDIRECT_STATUS.has(response.status) && response.headers.has("location");
}

/**
 * The request for the next hop of a redirect, derived from the caller's request (never from what
 * middleware added, so credentials a plugin injected are looked up again for the new host).
 * Follows fetch: 303 turns anything but GET/HEAD into GET, 301/302 turn POST into GET; 307/308
 * keep method and body, which must then be replayable. A hop to another origin drops every
 * cross-origin secret header (see `stripCrossOriginSecrets`; `context` brings the call's own
 * `secretHeadersKey` names).
 */
export function redirectRequest(
  request: HttpRequest,
  response: HttpResponse,
  context?: Context,
): HttpRequest {
  const location = response.headers.get("location") ?? "";
  let target: URL;
  try {
    target = new URL(location, response.url);
  } catch (cause) {
    throw new RedirectError(
      `the server redirected to an invalid Location ${JSON.stringify(redactUrl(location).slice(0, 200))}`,
      {
        method: request.method,
        url: redactUrl(response.url),
        cause: redactUrlError(cause),
      },
    );
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new RedirectError(`the server redirected to a ${target.protocol} URL, which is not followed`, {
      method: request.method,
      url: redactUrl(response.url),
    });
  }
  const from = new URL(response.url);
  // As fetch: credentials in a Location that leaves the origin are refused, never sent.
  if ((target.username || target.password) && from.origin !== target.origin) {
    throw new RedirectError(
      "the server redirected to another origin with credentials in the URL, which is refused",
      {
        method: request.method,
        url: redactUrl(response.url),
      },
    );
  }
  const status = response.status;
  const toGet =
    (status === 303 && request.method !== "GET" && request.method !== "HEAD") ||
    ((status === 301 || status === 302) && request.method === "POST");
  let headers = request.headers;
  // The caller's credentials belong to the origin the caller asked for. A middleware (mirror) may
  // have sent the request elsewhere, so the hop must stay on both origins to keep them.
  const to = originOf(target);
  if (originOf(from) !== to || originOf(request.urlParts) !== to) {
    headers = withoutCrossOriginSecrets(headers, context ?? response.context);
  }
  // A client.fetch call with a referrer determines it again for each hop (nothing otherwise).
  headers = redirectReferer(headers, response, target, context ?? response.context);
  if (toGet) {
    headers = headers.delete(...BODY_HEADERS);
    return request.with({ url: target, method: "GET", headers, body: null });
  }
  if (request.bodyHolder !== undefined && !request.isReplayable) {
    throw new BodyNotReplayableError(
      `the server answered ${status} to ${redactUrl(target)}, which must resend the body`,
      {
        method: request.method,
        url: redactUrl(response.url),
      },
    );
  }
  return request.with({ url: target, headers });
}
