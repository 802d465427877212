import { Readable } from "node:stream";
import type { Context, HttpRequest } from "@switchyard/core";
import { HttpResponse, redactUrl, withoutCrossOriginSecrets } from "@switchyard/core";
import type { Pool, PoolEntry } from "./mirror-pool.ts";

/**
 * The request for `entry`: the mirror's base plus the rest of the URL. A mirror on another origin
 * never sees the caller's secrets for the original host: core's one cross-origin rule drops every
 * secret header, the call's own `secretHeaders` and Host (auth, further in, adds the mirror's own).
 */
export function rewriteForMirror(
  request: HttpRequest,
  entry: PoolEntry,
  rest: string,
  requestOrigin: string,
  context: Context,
): HttpRequest {
  if (entry.kind === "origin") return request;
  const url = entry.base + rest;
  if (entry.origin === requestOrigin) return request.with({ url });
  return request.with({ url, headers: withoutCrossOriginSecrets(request.headers, context) });
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
