import { Readable } from "node:stream";
import type { Context, HttpRequest } from "@switchyard/core";
import { HttpResponse, redactUrl } from "@switchyard/core";
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
