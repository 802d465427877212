import { Readable } from "node:stream";
import type { Context, HttpRequest, Next } from "@switchyard/core";
import {
  channels,
  DEFAULT_MAX_REDIRECTS,
  HttpResponse,
  isRedirect,
  redactUrl,
  redirectRequest,
} from "@switchyard/core";
import type { Pool, PoolEntry } from "./mirror-pool.ts";

// Credentials the caller set for the original host; a mirror on another origin never sees them
// (auth, further in, looks up the mirror's own host). A caller-set Host names the original too.
const CROSS_ORIGIN_DROPPED = ["authorization", "cookie", "proxy-authorization", "host"];

/** The request for `entry`: the mirror's base plus the rest of the URL; credentials dropped across origins. */
export function rewriteForMirror(
  request: HttpRequest,
  entry: PoolEntry,
  rest: string,
  requestOrigin: string,
): HttpRequest {
  if (entry.kind === "origin") return request;
  const url = entry.base + rest;
  if (entry.origin === requestOrigin) return request.with({ url });
  return request.with({ url, headers: request.headers.delete(...CROSS_ORIGIN_DROPPED) });
}

/**
 * Sends `target` to a mirror. When the mirror is on another origin than the caller's URL, its
 * redirects are followed here, from the rewritten request: core follows redirects from the
 * caller's own request, whose credentials for the original host would reach the mirror's host on a
 * redirect within it. Follows only when the request asks for "follow" or says nothing (the client's
 * default cannot be seen from here; see the README).
 */
export async function sendToMirror(
  next: Next,
  target: HttpRequest,
  crossOrigin: boolean,
  context: Context,
): Promise<HttpResponse> {
  let res = await next(target);
  const mode = target.options.redirect;
  if (!crossOrigin || (mode !== undefined && mode !== "follow")) return res;
  const max = target.options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let req = target;
  let hops = 0;
  while (hops < max && isRedirect(res)) {
    await res.discard();
    const following = redirectRequest(req, res);
    if (channels.redirect.hasSubscribers) {
      channels.redirect.publish({
        method: following.method,
        from: redactUrl(res.url),
        to: redactUrl(following.url),
        status: res.status,
        context,
      });
    }
    req = following;
    res = await next(req);
    hops++;
  }
  return hops === 0 ? res : res.with({ redirected: true });
}

/** The 404 answered without a request when no mirror carries the path (rattler's fake 404). */
export function syntheticNotFound(
  request: HttpRequest,
  context: Context,
  pool: Pool,
  path: string,
): HttpResponse {
  const text = `no mirror of ${pool.prefix} carries ${redactUrl(path)}; answered by @switchyard/mirror without a request\n`;
  const bytes = Buffer.from(text);
  return new HttpResponse({
    status: 404,
    statusText: "Not Found",
    headers: { "content-type": "text/plain; charset=utf-8", "content-length": String(bytes.length) },
    body: Readable.from([bytes], { objectMode: false }),
    url: request.url,
    context,
    request,
  });
}
