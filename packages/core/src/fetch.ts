import type { RequestBody } from "./body.ts";
import type { CacheMode } from "./cache-mode.ts";
import type { CallInit } from "./client.ts";
import type { HttpRequest, RedirectMode } from "./request.ts";
import type { HttpResponse } from "./response.ts";

type Request = (input: string | URL | HttpRequest, init?: CallInit) => Promise<HttpResponse>;

// Statuses whose WHATWG Response must have a null body.
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

function toBody(body: BodyInit | null | undefined): RequestBody | undefined {
  if (body == null) return undefined;
  if (ArrayBuffer.isView(body) && !(body instanceof Uint8Array)) {
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }
  return body as RequestBody;
}

/**
 * A standard `fetch` over the client's chain. WHATWG objects exist only at this edge: the request
 * is turned into the chain's own light types and the response wrapped on the way out, its body
 * streaming in both directions.
 */
export function createFetch(request: Request): typeof globalThis.fetch {
  return async function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    let url: string;
    let method: string | undefined;
    let headers: HeadersInit | undefined;
    let body: RequestBody | undefined;
    let signal: AbortSignal | undefined;
    let redirect: RedirectMode | undefined;
    let cache: CacheMode | undefined;
    if (typeof input === "object" && input !== null && !(input instanceof URL) && "url" in input) {
      url = input.url;
      method = input.method;
      headers = input.headers;
      body = input.body === null ? undefined : (input.body as unknown as RequestBody);
      signal = input.signal;
      redirect = input.redirect as RedirectMode;
      // A Request always reports "default"; only a deliberate other mode is passed on.
      if (input.cache !== undefined && input.cache !== "default") cache = input.cache;
    } else {
      url = String(input);
    }
    if (init) {
      if (init.method !== undefined) method = init.method;
      if (init.headers !== undefined) headers = init.headers;
      if (init.body !== undefined) body = toBody(init.body);
      if (init.signal != null) signal = init.signal;
      if (init.redirect !== undefined) redirect = init.redirect as RedirectMode;
      if (init.cache !== undefined) cache = init.cache;
    }
    const res = await request(url, {
      method,
      headers: headers as CallInit["headers"],
      body,
      signal,
      redirect,
      cache,
    });
    return toWebResponse(res, method);
  };
}

/** Wraps an HttpResponse as a WHATWG Response without reading its body. */
export function toWebResponse(res: HttpResponse, method?: string): Response {
  const nullBody = NULL_BODY_STATUS.has(res.status) || method?.toUpperCase() === "HEAD";
  if (nullBody) void res.discard();
  const init: ResponseInit = { status: res.status, headers: res.headers.toWebHeaders() };
  let response: Response;
  try {
    response = new Response(nullBody ? null : res.webStream(), { ...init, statusText: res.statusText });
  } catch {
    // An odd reason phrase must not fail the call; the status code is what matters.
    response = new Response(nullBody ? null : res.webStream(), init);
  }
  Object.defineProperty(response, "url", { value: res.url });
  Object.defineProperty(response, "redirected", { value: res.redirected });
  return response;
}
