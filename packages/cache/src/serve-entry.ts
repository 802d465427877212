import type { Readable } from "node:stream";
import type { Context, HttpRequest } from "@switchyard/core";
import { cacheStatusKey, HttpHeaders, HttpResponse } from "@switchyard/core";
import type { FlowParts } from "./admit.ts";
import type { Found } from "./entry-index.ts";
import { CacheIntegrityError } from "./errors.ts";
import { cacheChannels, publish } from "./events.ts";
import { callFields } from "./respond.ts";

// Entries whose stored headers passed HttpHeaders' checks once (held weakly: the index owns them).
const checked = new WeakSet<Found>();

/** Serves a stored entry; undefined when its body is gone or corrupt (then it is a miss). */
export async function serveEntry(
  parts: FlowParts,
  request: HttpRequest,
  context: Context,
  found: Found,
  status: "hit" | "stale" | "revalidated",
  reason?: string,
): Promise<HttpResponse | undefined> {
  let body: Readable;
  try {
    body = await parts.o.store.read(found.entry);
  } catch (error) {
    parts.index.forget(found.entry.key);
    if (!(error instanceof CacheIntegrityError)) {
      parts.track(parts.o.store.delete(found.entry.key).catch(() => {}));
    }
    return undefined;
  }
  const record = found.policy.responseHeaders() as Record<string, string | string[]>;
  const header = parts.o.statusHeader;
  if (header !== undefined) record[header] = status;
  // The stored headers are checked on an entry's first serve; later serves of the same entry differ
  // only in what http-cache-semantics computes (Age, Date, a 113 warning) and the status token.
  let headers: HttpHeaders;
  if (checked.has(found)) headers = HttpHeaders.trusted(record);
  else {
    headers = HttpHeaders.from(record);
    checked.add(found);
  }
  context.set(cacheStatusKey, status);
  const res = new HttpResponse({
    status: found.meta.status,
    statusText: found.meta.statusText,
    headers,
    body,
    url: request.url,
    context,
    request,
  });
  if (status === "hit")
    publish(cacheChannels.hit, () => ({ ...callFields(request, context), age: found.policy.age() }));
  else if (status === "stale")
    publish(cacheChannels.stale, () => ({ ...callFields(request, context), reason }));
  return res;
}

/** A stale entry for an error, when the server's stale-if-error bound still allows it. */
export async function staleForError(
  parts: FlowParts,
  request: HttpRequest,
  context: Context,
  found: Found,
): Promise<HttpResponse | undefined> {
  if (!parts.o.staleIfError || found.meta.staleIfError <= 0) return undefined;
  const policy = found.policy;
  if (policy.maxAge() + found.meta.staleIfError <= policy.age()) return undefined;
  return serveEntry(parts, request, context, found, "stale", "stale-if-error");
}
