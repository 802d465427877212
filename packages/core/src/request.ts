import type { RequestBody } from "./body.ts";
import { assertRequestBody, BodyHolder } from "./body.ts";
import type { CacheMode } from "./cache-mode.ts";
import { checkCacheMode } from "./cache-mode.ts";
import type { Context } from "./context.ts";
import { InvalidRequestError } from "./errors.ts";
import type { HeadersInit } from "./headers.ts";
import { HttpHeaders } from "./headers.ts";
import { installRequestInternals } from "./internals.ts";
import { redactUrl } from "./redact.ts";
import { parseUrlView, type UrlView } from "./url-view.ts";

/** How a call treats redirects: follow them through the chain, hand them back, or fail. */
export type RedirectMode = "follow" | "manual" | "error";

/** What a request carries besides URL, method, headers and body. */
export interface RequestOptions {
  /** Aborts the call; the error is an `AbortError`. */
  readonly signal?: AbortSignal | undefined;
  /** Redirect handling. @default "follow" */
  readonly redirect?: RedirectMode | undefined;
  /** Most redirects followed in one call. @default 20 */
  readonly maxRedirects?: number | undefined;
  /** Milliseconds to wait for response headers, per attempt (undici's `headersTimeout`). */
  readonly headersTimeout?: number | undefined;
  /** Milliseconds a response body may stay idle (undici's `bodyTimeout`). */
  readonly bodyTimeout?: number | undefined;
  /** How a cache plugin in the chain treats this call (fetch's modes); ignored without one. @default "default" */
  readonly cache?: CacheMode | undefined;
}

/** The fields `HttpRequest.with()` and the constructor accept. */
export interface RequestInit extends RequestOptions {
  readonly method?: string | undefined;
  readonly headers?: HeadersInit | undefined;
  /** A body, or `null` to drop it. */
  readonly body?: RequestBody | null | undefined;
}

/** What `with()` may change: everything, with `url` too. */
export interface RequestChanges extends RequestInit {
  readonly url?: string | URL | undefined;
}

/** The parts of a URL, read-only: what `URL` offers, as plain strings. */
export interface UrlParts {
  readonly href: string;
  /** With the colon: `https:`, `s3:`. */
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  readonly origin: string;
}

const kDerived: unique symbol = Symbol("switchyard.request.derived");

interface DerivedFields {
  url: string;
  input: string | undefined;
  view: UrlView;
  context: Context | undefined;
  method: string;
  headers: HttpHeaders;
  body: BodyHolder | undefined;
  options: RequestOptions;
}

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NORMALISED = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"]);

function normaliseMethod(method: string): string {
  if (!METHOD.test(method))
    throw new InvalidRequestError(`invalid HTTP method ${JSON.stringify(method.slice(0, 32))}`);
  const upper = method.toUpperCase();
  return NORMALISED.has(upper) ? upper : method;
}

/**
 * An immutable HTTP request. Middleware never change the request they are handed: they derive a
 * new one with {@link HttpRequest.with}, which is cheap (headers are copied only when changed,
 * the body holder is shared). That is what lets retry or mirror replay the original.
 */
export class HttpRequest {
  /** The absolute URL (may be `oci:`, `s3:`, `gs:` before the resolve stage). */
  readonly url: string;
  readonly method: string;
  readonly headers: HttpHeaders;
  readonly options: RequestOptions;
  readonly #body: BodyHolder | undefined;
  // The parsed URL's fields; the URL object inside never leaves core (URL objects are mutable).
  readonly #view: UrlView;
  // The caller's text when the parser changed it (dot segments removed...), else undefined.
  readonly #input: string | undefined;
  // The call this request belongs to, inherited by every request derived with with(): it is how the
  // chain, composed once per client, finds each call's context (see chain.ts). Never exposed.
  #context: Context | undefined;

  constructor(url: string | URL, init: RequestInit = {}) {
    if (url === (kDerived as unknown)) {
      // with(): fields already validated; no URL re-parse, no header revalidation.
      const f = init as unknown as DerivedFields;
      this.url = f.url;
      this.#input = f.input;
      this.#view = f.view;
      this.#context = f.context;
      this.method = f.method;
      this.headers = f.headers;
      this.#body = f.body;
      this.options = f.options;
      return;
    }
    const view = parseUrlView(url);
    this.#view = view;
    this.url = view.href;
    if (typeof url === "string" && url !== this.url) this.#input = url;
    this.method = init.method === undefined ? "GET" : normaliseMethod(init.method);
    this.headers = HttpHeaders.from(init.headers);
    if (init.body != null) {
      assertRequestBody(init.body);
      this.#body = new BodyHolder(init.body);
    }
    this.options = pickOptions(init);
  }

  /** The URL parsed: a fresh copy on each access, so changing it never changes the request. */
  get parsedUrl(): URL {
    return new URL(this.url);
  }

  /**
   * The URL exactly as the caller wrote it, when the WHATWG URL parser changed it (removed `.` and
   * `..` segments, decoded `%2e`, lower-cased the scheme or host...); otherwise the same as `url`.
   * Plugins whose paths are names rather than file paths (`oci:`) read it to refuse the dot
   * segments the parser would silently remove. A `URL` object given by the caller was already
   * parsed, so its `href` is all there is.
   */
  get inputUrl(): string {
    return this.#input ?? this.url;
  }

  /** The URL's scheme without the colon: `https`, `oci`, `s3`... */
  get scheme(): string {
    return this.urlParts.protocol.slice(0, -1);
  }

  /**
   * A read-only view of the URL: what middleware read on every call (scheme, origin, host, path)
   * without parsing again or handing out a mutable URL. Requests made from the same URL text that
   * carries no secret share one view (its fields are getters without setters).
   */
  get urlParts(): UrlParts {
    return this.#view;
  }

  /** The URL's origin (`null` for schemes such as `oci:` that have none). */
  get origin(): string {
    return this.urlParts.origin;
  }

  static {
    installRequestInternals({
      contextOf: (request) => request.#context,
      urlFieldsOf: (request) => request.#view,
      bindContext: (request, context, owned) => {
        if (request.#context === context) return request;
        const bound = owned ? request : request.with({});
        bound.#context = context;
        return bound;
      },
    });
  }

  /** The body as given, if any. */
  get body(): RequestBody | undefined {
    return this.#body?.value;
  }

  /** The shared holder of the body, for transports (knows whether a one-shot body was sent). */
  get bodyHolder(): BodyHolder | undefined {
    return this.#body;
  }

  /** Whether the body (if any) can be sent again: none, in-memory, or a factory. */
  get isReplayable(): boolean {
    return this.#body === undefined || this.#body.replayable || !this.#body.used;
  }

  /** Whether the body can be sent any number of times. */
  get hasReplayableBody(): boolean {
    return this.#body === undefined || this.#body.replayable;
  }

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  /**
   * A new request with `changes` applied. `headers` are merged over the current ones (a value of
   * `undefined` removes a header); pass `HttpHeaders` to replace them whole. `body: null` drops the
   * body.
   */
  with(changes: RequestChanges): HttpRequest {
    const view = changes.url === undefined ? undefined : parseUrlView(changes.url);
    let headers = this.headers;
    if (changes.headers !== undefined) {
      headers =
        changes.headers instanceof HttpHeaders ? changes.headers : this.headers.merge(changes.headers);
    }
    let body = this.#body;
    if (changes.body === null) body = undefined;
    else if (changes.body !== undefined) {
      assertRequestBody(changes.body);
      body = new BodyHolder(changes.body);
    }
    const options = hasOptionChanges(changes) ? { ...this.options, ...pickOptions(changes) } : this.options;
    const fields: DerivedFields = {
      url: view ? view.href : this.url,
      input: view
        ? typeof changes.url === "string" && changes.url !== view.href
          ? changes.url
          : undefined
        : this.#input,
      view: view ?? this.#view,
      context: this.#context,
      method: changes.method === undefined ? this.method : normaliseMethod(changes.method),
      headers,
      body,
      options,
    };
    return new HttpRequest(kDerived as unknown as string, fields as unknown as RequestInit);
  }

  /** The URL with secrets removed, for messages. */
  get redactedUrl(): string {
    return redactUrl(this.url);
  }
}

const NO_OPTIONS: RequestOptions = Object.freeze({});

function pickOptions(init: RequestOptions): RequestOptions {
  if (!hasOptionChanges(init)) return NO_OPTIONS;
  const out: { -readonly [K in keyof RequestOptions]: RequestOptions[K] } = {};
  if (init.signal !== undefined) out.signal = init.signal;
  if (init.redirect !== undefined) {
    if (init.redirect !== "follow" && init.redirect !== "manual" && init.redirect !== "error") {
      throw new InvalidRequestError(
        `redirect must be "follow", "manual" or "error", got ${String(init.redirect)}`,
      );
    }
    out.redirect = init.redirect;
  }
  if (init.maxRedirects !== undefined) out.maxRedirects = checkCount("maxRedirects", init.maxRedirects);
  if (init.headersTimeout !== undefined)
    out.headersTimeout = checkCount("headersTimeout", init.headersTimeout);
  if (init.bodyTimeout !== undefined) out.bodyTimeout = checkCount("bodyTimeout", init.bodyTimeout);
  if (init.cache !== undefined) out.cache = checkCacheMode(init.cache);
  return out;
}

function hasOptionChanges(c: RequestOptions): boolean {
  return (
    c.signal !== undefined ||
    c.redirect !== undefined ||
    c.maxRedirects !== undefined ||
    c.headersTimeout !== undefined ||
    c.bodyTimeout !== undefined ||
    c.cache !== undefined
  );
}

function checkCount(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new InvalidRequestError(`${name} must be a number >= 0`);
  return value;
}
