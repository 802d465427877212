import type { HttpResponse } from "./response.ts";
import type { WebStreamHooks } from "./web-body.ts";
import { toWebStream } from "./web-body.ts";

// Statuses whose WHATWG Response must have a null body.
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

const kLock: unique symbol = Symbol("switchyard.headers.lock");

/** Response headers as fetch hands them out: readable, never changeable (`set` throws a TypeError). */
class ImmutableHeaders extends Headers {
  #locked = false;
  [kLock](): this {
    this.#locked = true;
    return this;
  }
  override append(name: string, value: string): void {
    if (this.#locked) throw new TypeError("immutable");
    super.append(name, value);
  }
  override set(name: string, value: string): void {
    if (this.#locked) throw new TypeError("immutable");
    super.set(name, value);
  }
  override delete(name: string): void {
    if (this.#locked) throw new TypeError("immutable");
    super.delete(name);
  }
}

function immutableHeaders(res: HttpResponse): ImmutableHeaders {
  const headers = new ImmutableHeaders();
  for (const [name, value] of res.headers) headers.append(name, value);
  return headers[kLock]();
}

// What a fetch Response shows that `new Response()` cannot set: the URL, whether it was
// redirected, its type, and headers that cannot be changed. Named Response, as it is one.
const FetchResponse = class Response extends globalThis.Response {
  readonly #url: string;
  readonly #redirected: boolean;
  readonly #headers: Headers;

  constructor(body: ReadableStream<Uint8Array> | null, init: ResponseInit, url: string, redirected: boolean) {
    super(body, init);
    this.#url = url;
    this.#redirected = redirected;
    this.#headers = init.headers as Headers;
  }
  override get url(): string {
    return this.#url;
  }
  override get redirected(): boolean {
    return this.#redirected;
  }
  override get type(): ResponseType {
    return "basic";
  }
  override get headers(): Headers {
    return this.#headers;
  }
  override clone(): globalThis.Response {
    // The base clone tees the body; the copy keeps what the base cannot carry over.
    const copy = super.clone();
    return new FetchResponse(
      copy.body,
      { status: this.status, statusText: this.statusText, headers: this.#headers },
      this.#url,
      this.#redirected,
    );
  }
};

/** The URL a fetch response shows: without credentials and without the fragment. */
export function responseUrl(url: string): string {
  if (!url.includes("#") && !url.includes("@")) return url;
  const parsed = new URL(url);
  parsed.hash = "";
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
}

/**
 * Wraps an HttpResponse as a WHATWG Response without reading its body: `type` "basic", `url`
 * without credentials or fragment, `redirected`, immutable headers, a byte-stream body (null for
 * HEAD and null-body statuses, whose body is discarded) that gives the socket back when
 * cancelled, and a `clone()` that keeps all of these.
 */
export function toWebResponse(
  res: HttpResponse,
  method?: string,
  hooks?: WebStreamHooks,
  body?: HttpResponse["body"],
): Response {
  const nullBody = NULL_BODY_STATUS.has(res.status) || method === "HEAD" || method?.toUpperCase() === "HEAD";
  if (nullBody) void res.discard();
  const stream = nullBody ? null : toWebStream(body ?? res.body, hooks ?? { cancel: () => res.discard() });
  const headers = immutableHeaders(res);
  const url = responseUrl(res.url);
  try {
    return new FetchResponse(
      stream,
      { status: res.status, statusText: res.statusText, headers },
      url,
      res.redirected,
    );
  } catch {
    // An odd reason phrase must not fail the call; the status code is what matters.
    return new FetchResponse(stream, { status: res.status, headers }, url, res.redirected);
  }
}
