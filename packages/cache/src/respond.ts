import type { CacheStatus, Context, HttpRequest, HttpResponse } from "@switchyard/core";
import { cacheStatusKey, HttpHeaders, redactUrl } from "@switchyard/core";

/** Sets what the cache did on the context and, when configured, as a response header. */
export function tagResponse(
  response: HttpResponse,
  status: CacheStatus,
  context: Context,
  header: string | undefined,
): HttpResponse {
  context.set(cacheStatusKey, status);
  if (header === undefined) return response;
  // `headers.set()` copies the record into a frozen null-prototype object, which V8 keeps in
  // dictionary mode: most of what a no-store pass-through cost. A plain object spread is a fraction
  // of that. Both halves are normalised already: the record is one HttpHeaders holds, the name was
  // checked and lower-cased with the options, and the status is one of four tokens.
  const record = { ...response.headers.toRecord(), [header]: status };
  return response.with({ headers: HttpHeaders.trusted(record) });
}

/** An event payload's common fields: method, redacted URL, context. */
export function callFields(
  request: HttpRequest,
  context: Context,
): { method: string; url: string; context: Context } {
  return { method: request.method, url: redactUrl(request.url), context };
}
