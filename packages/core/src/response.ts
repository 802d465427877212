import { Readable } from "node:stream";
import type { BodyLease } from "./body-lease.ts";
import { releaseWhenCollected } from "./body-lease.ts";
import { Context } from "./context.ts";
import type { HeadersInit } from "./headers.ts";
import { HttpHeaders } from "./headers.ts";
import { installResponseInternals } from "./internals.ts";
import { mapError } from "./map-error.ts";
import { ownedBuffer, readText, readWhole } from "./read-whole.ts";
import type { HttpRequest } from "./request.ts";
import { toWebStream } from "./web-body.ts";

/** Bodies up to this size are drained by `discard()` so the connection is reused. */
export const DISCARD_DRAIN_LIMIT: number = 128 * 1024;

/** What `new HttpResponse()` and `response.with()` take. */
export interface ResponseInit {
  readonly status: number;
  readonly statusText?: string | undefined;
  readonly headers?: HeadersInit | undefined;
  /** A Node stream (the transport's body, undici's, or any Readable); `null` for no body. */
  readonly body?: Readable | null | undefined;
  /** The URL that answered. */
  readonly url: string;
  readonly context?: Context | undefined;
  /** The request that produced this response. */
  readonly request?: HttpRequest | undefined;
  /** Whether at least one redirect was followed. */
  readonly redirected?: boolean | undefined;
}

// The transport's body (response-body.ts) and undici's own read themselves whole, and give
// themselves up with dump(), faster than any reader from outside could.
interface WholeReadBody extends Readable {
  text(): Promise<string>;
  json(): Promise<unknown>;
  bytes(): Promise<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
  dump(opts?: { limit: number }): Promise<void>;
}

function readsWhole(body: Readable): body is WholeReadBody {
  return (
    typeof (body as Partial<WholeReadBody>).dump === "function" &&
    typeof (body as Partial<WholeReadBody>).text === "function"
  );
}

const DUMP_OPTIONS = Object.freeze({ limit: DISCARD_DRAIN_LIMIT });

const EMPTY = (): Readable => Readable.from([]);

/**
 * A response: status, headers, final URL, the call's context and a streaming body. Nothing reads
 * the body unless asked: consume it once with `text()`, `json()`, `bytes()`, `stream()`, or call
 * `discard()` when it is not needed so the connection goes back to the pool.
 */
export class HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HttpHeaders;
  readonly url: string;
  readonly context: Context;
  readonly request: HttpRequest | undefined;
  readonly redirected: boolean;
  readonly #body: Readable | null;
  // The pool's lease on the body (core-internal): marked taken when anyone asks for the body.
  #lease: BodyLease | undefined;

  static {
    installResponseInternals({
      leaseOf: (response) => response.#lease,
      attachLease: (response, lease) => {
        response.#lease = lease;
      },
      rawBodyOf: (response) => response.#body,
    });
  }

  constructor(init: ResponseInit) {
    this.status = init.status;
    this.statusText = init.statusText ?? "";
    this.headers = HttpHeaders.from(init.headers);
    this.#body = init.body ?? null;
    this.url = init.url;
    this.context = init.context ?? new Context();
    this.request = init.request;
    this.redirected = init.redirected ?? false;
  }

  /** A response with some fields replaced (e.g. a verifying stream in place of the body). */
  with(changes: Partial<ResponseInit>): HttpResponse {
    const derived = new HttpResponse({
      status: changes.status ?? this.status,
      statusText: changes.statusText ?? this.statusText,
      headers: changes.headers ?? this.headers,
      body: changes.body === undefined ? this.#body : changes.body,
      url: changes.url ?? this.url,
      context: changes.context ?? this.context,
      request: changes.request ?? this.request,
      redirected: changes.redirected ?? this.redirected,
    });
    const lease = this.#lease;
    if (lease !== undefined && changes.body === undefined) {
      // Same body: released only when neither response is left to read it.
      derived.#lease = lease;
      if (lease.watched) releaseWhenCollected(derived, lease.request);
    }
    return derived;
  }

  /** Whether the status is 2xx. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The body as a Node stream (empty when there is none). Read it once. */
  get body(): Readable {
    if (this.#lease !== undefined) this.#lease.taken = true;
    return this.#body ?? EMPTY();
  }

  /** Whether the response carries a body stream at all. */
  get hasBody(): boolean {
    return this.#body !== null;
  }

  /** The body as a Node stream. */
  stream(): Readable {
    return this.body;
  }

  /** The body as a WHATWG byte stream; cancelling it gives the body up (see `discard()`). */
  webStream(): ReadableStream<Uint8Array> {
    const body = this.body;
    // Cancelling gives the body up as discard() does: a small rest is drained, the socket reused.
    return toWebStream(body, { cancel: () => this.discard() });
  }

  /** Reads the whole body as UTF-8 text. */
  text(): Promise<string> {
    const body = this.body;
    return this.#consume(readsWhole(body) ? body.text() : readText(body));
  }

  /** Reads and parses the whole body as JSON. */
  json<T = unknown>(): Promise<T> {
    const body = this.body;
    return this.#consume(readsWhole(body) ? body.json() : readText(body).then(JSON.parse)) as Promise<T>;
  }

  /** Reads the whole body into bytes. */
  bytes(): Promise<Uint8Array> {
    const body = this.body;
    return this.#consume(readsWhole(body) ? body.bytes() : readWhole(body));
  }

  /** Reads the whole body into an ArrayBuffer. */
  arrayBuffer(): Promise<ArrayBuffer> {
    const body = this.body;
    return this.#consume(readsWhole(body) ? body.arrayBuffer() : readWhole(body).then(ownedBuffer));
  }

  /**
   * Reads a small body (an error document, a token answer) as UTF-8 text when it is at most `limit`
   * bytes; a larger one is given up and `undefined` returned. Never throws: a body that fails
   * mid-read also gives `undefined`.
   */
  async smallText(limit: number): Promise<string | undefined> {
    const declared = Number(this.headers.get("content-length"));
    const body = this.#body;
    if (this.#lease !== undefined) this.#lease.taken = true;
    if (body === null) return "";
    if (Number.isFinite(declared) && declared > limit) {
      await this.discard();
      return undefined;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
        size += buf.length;
        if (size > limit) {
          body.on("error", () => {});
          body.destroy();
          return undefined;
        }
        chunks.push(buf);
      }
    } catch {
      return undefined;
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  /**
   * Gives the body up: drains it when it is small (so the socket is reused), destroys it when it is
   * large or of unknown size beyond the drain limit. Never throws.
   */
  discard(): Promise<void> {
    const body = this.#body;
    if (this.#lease !== undefined) this.#lease.taken = true;
    if (body === null || body.destroyed || body.readableEnded) return Promise.resolve();
    // dump() (the transport's body's or undici's) never rejects without a signal; it destroys what it will not drain.
    if (readsWhole(body)) return body.dump(DUMP_OPTIONS);
    return this.#drain(body);
  }

  async #drain(body: Readable): Promise<void> {
    try {
      const length = Number(this.headers.get("content-length"));
      if (Number.isFinite(length) && length <= DISCARD_DRAIN_LIMIT) {
        for await (const _ of body) {
          // draining
        }
      } else {
        body.destroy();
      }
    } catch {
      body.destroy();
    }
  }

  #consume<T>(promise: Promise<T>): Promise<T> {
    return promise.catch((error: unknown) => {
      throw mapError(error, {
        method: this.request?.method ?? "GET",
        url: this.url,
        context: this.context,
        phase: "body",
      });
    });
  }
}
