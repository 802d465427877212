import type { CacheStatus, Context, HttpRequest, HttpResponse } from "@switchyard/core";
import { cacheStatusKey, redactUrl } from "@switchyard/core";

/** Sets what the cache did on the context and, when configured, as a response header. */
export function tagResponse(
  response: HttpResponse,
  status: CacheStatus,
  context: Context,
  header: string | undefined,
): HttpResponse {
  context.set(cacheStatusKey, status);
  if (header === undefined) return response;
  return response.with({ headers: response.headers.set(header, status) });
}

/** An event payload's common fields: method, redacted URL, context. */
export function callFields(
  request: HttpRequest,
  context: Context,
): { method: string; url: string; context: Context } {
  return { method: request.method, url: redactUrl(request.url), context };
}
