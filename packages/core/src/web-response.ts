import type { HttpResponse } from "./response.ts";
import type { WebStreamHooks } from "./web-body.ts";
import { byteStream, NodeByteSource, readAll } from "./web-body.ts";

const utf8 = new TextDecoder();

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

// Each received line is appended on its own, so Headers joins repeated ones with ", " after
// normalising each value (two empty lines read ", ", as fetch has it; joined first, they read ",").
function immutableHeaders(res: HttpResponse): ImmutableHeaders {
  const headers = new ImmutableHeaders();
  const record = res.headers.toRecord();
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (typeof value === "string") headers.append(name, value);
    else if (value !== undefined) for (const one of value) headers.append(name, one);
  }
  return headers[kLock]();
}

// What a fetch Response shows that `new Response()` cannot set: the URL, whether it was
// redirected, its type, and headers that cannot be changed. Named Response, as it is one.
const FetchResponse = class Response extends globalThis.Response {
  readonly #url: string;
  readonly #redirected: boolean;
  readonly #headers: Headers;
  readonly #source: NodeByteSource | undefined;
  readonly #fail: (error: unknown) => unknown;
  readonly #signal: AbortSignal | undefined;

  constructor(
    body: NodeByteSource | ReadableStream<Uint8Array> | null,
    init: ResponseInit,
    url: string,
    redirected: boolean,
    fail: (error: unknown) => unknown = rethrow,
    signal?: AbortSignal,
  ) {
    super(body instanceof NodeByteSource ? byteStream(body) : body, init);
    this.#url = url;
    this.#redirected = redirected;
    this.#headers = init.headers as Headers;
    this.#source = body instanceof NodeByteSource ? body : undefined;
    this.#fail = fail;
    this.#signal = signal;
  }

  // After the call's signal aborted, a whole-body read of a body not yet used rejects at once with
  // the reason and leaves the body as it is, so a second read rejects the same way (WPT's
  // "response.text() rejects if already aborted"; Node 22's fetch, the spec).
  #aborted(): Promise<never> | undefined {
    const signal = this.#signal;
    if (signal === undefined || !signal.aborted || this.bodyUsed) return undefined;
    return Promise.reject(signal.reason);
  }
  override blob(): Promise<Blob> {
    return this.#aborted() ?? super.blob();
  }
  override formData(): Promise<FormData> {
    return this.#aborted() ?? super.formData();
  }

  // A whole-body read before anything was read from the stream takes the Node stream directly
  // (one copy, no per-chunk promises); the web stream is then locked, read and closed, as after
  // fetch's own whole-body reads, so bodyUsed, clone() and a second read behave the same.
  #take(): Promise<Uint8Array> | undefined {
    const body = this.#source;
    if (body === undefined || this.bodyUsed) return undefined;
    const stream = super.body;
    if (stream === null || stream.locked) return undefined;
    const reader = stream.getReader();
    const source = body.takeover();
    if (source === undefined) {
      reader.releaseLock();
      return undefined;
    }
    void reader.read();
    return readAll(source, this.#fail);
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    return (
      this.#aborted() ?? this.#take()?.then((bytes) => bytes.buffer as ArrayBuffer) ?? super.arrayBuffer()
    );
  }
  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#aborted() ?? (this.#take() as Promise<Uint8Array<ArrayBuffer>> | undefined) ?? super.bytes();
  }
  override text(): Promise<string> {
    return this.#aborted() ?? this.#take()?.then((bytes) => utf8.decode(bytes)) ?? super.text();
  }
  override json(): Promise<unknown> {
    return (
      this.#aborted() ??
      this.#take()?.then((bytes) => JSON.parse(utf8.decode(bytes)) as unknown) ??
      super.json()
    );
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

function rethrow(error: unknown): unknown {
  return error;
}

/** The URL a fetch response shows: without credentials and without the fragment. */
export function responseUrl(url: string): string {
  if (!url.includes("#") && !url.includes("@")) return url;
  const parsed = new URL(url);
  parsed.hash = "";
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
}

/** Whether fetch gives a response to `method` with `status` a null body (HEAD, 204, 304...). */
export function hasNullBody(status: number, method: string | undefined): boolean {
  return NULL_BODY_STATUS.has(status) || method === "HEAD" || method?.toUpperCase() === "HEAD";
}

/**
 * Wraps an HttpResponse as a WHATWG Response without reading its body: `type` "basic", `url`
 * without credentials or fragment, `redirected`, immutable headers, a byte-stream body (null for
 * HEAD and null-body statuses, whose body is discarded) that gives the socket back when
 * cancelled, and a `clone()` that keeps all of these. With `signal`, the body errors with the
 * signal's reason the moment it aborts, as a fetch response body does.
 */
export function toWebResponse(
  res: HttpResponse,
  method?: string,
  hooks?: WebStreamHooks,
  body?: HttpResponse["body"],
  signal?: AbortSignal,
): Response {
  const nullBody = hasNullBody(res.status, method);
  if (nullBody) void res.discard();
  const effective = hooks ?? { cancel: () => res.discard() };
  const source = nullBody ? null : new NodeByteSource(body ?? res.body, effective);
  // fetch errors the body with the signal's reason the moment the signal aborts (not a step later,
  // when the source reports its destruction). The listener goes when the body is done with.
  if (source !== null && signal !== undefined && !signal.aborted) {
    const onAbort = (): void => source.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    source.onDone(() => signal.removeEventListener("abort", onAbort));
  }
  const headers = immutableHeaders(res);
  const url = responseUrl(res.url);
  const fail = effective.error ?? rethrow;
  try {
    return new FetchResponse(
      source,
      { status: res.status, statusText: res.statusText, headers },
      url,
      res.redirected,
      fail,
      signal,
    );
  } catch {
    // An odd reason phrase must not fail the call; the status code is what matters.
    return new FetchResponse(source, { status: res.status, headers }, url, res.redirected, fail, signal);
  }
}
