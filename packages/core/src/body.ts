import { Readable } from "node:stream";
import { BodyNotReplayableError, InvalidRequestError } from "./errors.ts";
import { encodeFormData } from "./form-data.ts";

/** A stream of bytes in any of the shapes Node users hold one. */
export type ByteStream = Readable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Returns a fresh stream each time it is called: what makes a streamed body replayable. */
export type BodyFactory = () => ByteStream | Promise<ByteStream>;

/**
 * A request body. In-memory kinds (string, bytes, Blob, FormData, URLSearchParams) and factories
 * can be sent again (retry, failover, 307/308); one-shot streams are sent once.
 */
export type RequestBody =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | FormData
  | URLSearchParams
  | ByteStream
  | BodyFactory
  | ReplayableBody;

/** A factory plus what is known about the bytes it produces. */
export interface ReplayableBody {
  readonly kind: "switchyard:replayable";
  readonly open: BodyFactory;
  /** Byte length, when known: sent as `Content-Length`. */
  readonly length: number | undefined;
}

/**
 * Wraps a factory that opens a fresh stream per attempt, so that retries, mirror failover and
 * 307/308 redirects can send the body again.
 *
 * @example
 * const body = replayable(() => createReadStream(path), { length: (await stat(path)).size });
 */
export function replayable(open: BodyFactory, options: { length?: number } = {}): ReplayableBody {
  if (typeof open !== "function")
    throw new InvalidRequestError("replayable() needs a function returning a stream");
  return Object.freeze({ kind: "switchyard:replayable", open, length: options.length });
}

/**
 * The body held by a request and every request derived from it: derivation shares the holder, so a
 * one-shot stream consumed by one attempt is known to be consumed by all.
 */
export class BodyHolder {
  readonly value: RequestBody;
  readonly replayable: boolean;
  #used = false;

  constructor(value: RequestBody) {
    this.value = value;
    this.replayable = isReplayableValue(value);
  }

  /** Whether a one-shot body was already handed to a transport. */
  get used(): boolean {
    return this.#used;
  }

  /**
   * The body in the shape undici sends, plus headers it implies. Throws BodyNotReplayableError when
   * a one-shot stream is asked for a second time.
   */
  async open(why: string, where: { method: string; url: string }): Promise<DispatchBody> {
    const value = this.value;
    if (!this.replayable) {
      if (this.#used) throw new BodyNotReplayableError(why, where);
      this.#used = true;
    }
    return toDispatchBody(value);
  }
}

/** What the transport passes to undici. */
export interface DispatchBody {
  readonly body: string | Uint8Array | Readable | AsyncIterable<Uint8Array> | null;
  readonly contentType?: string;
  readonly contentLength?: number;
}

async function toDispatchBody(value: RequestBody): Promise<DispatchBody> {
  if (typeof value === "string") return { body: value, contentType: "text/plain;charset=UTF-8" };
  if (value instanceof Uint8Array) return { body: value };
  if (value instanceof ArrayBuffer) return { body: new Uint8Array(value) };
  if (value instanceof URLSearchParams) {
    return { body: value.toString(), contentType: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  if (typeof Blob !== "undefined" && value instanceof Blob) {
    return {
      body: value.stream() as unknown as AsyncIterable<Uint8Array>,
      contentLength: value.size,
      ...(value.type ? { contentType: value.type } : {}),
    };
  }
  if (typeof FormData !== "undefined" && value instanceof FormData) {
    // undici's request() takes only its own FormData; encoded here, with its length, as fetch does.
    const form = encodeFormData(value);
    return { body: form.stream(), contentType: form.contentType, contentLength: form.length };
  }
  if (isReplayableBody(value)) {
    const stream = await value.open();
    return {
      body: toNodeOrIterable(stream),
      ...(value.length === undefined ? {} : { contentLength: value.length }),
    };
  }
  if (typeof value === "function") return { body: toNodeOrIterable(await value()) };
  return { body: toNodeOrIterable(value as ByteStream) };
}

function toNodeOrIterable(stream: ByteStream): Readable | AsyncIterable<Uint8Array> {
  if (stream instanceof Readable) return stream;
  if (typeof (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === "function") {
    return stream as AsyncIterable<Uint8Array>;
  }
  if (typeof (stream as ReadableStream).getReader === "function") {
    return Readable.fromWeb(stream as import("node:stream/web").ReadableStream<Uint8Array>);
  }
  throw new InvalidRequestError("request body factory returned something that is not a stream");
}

function isReplayableBody(value: unknown): value is ReplayableBody {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "switchyard:replayable" &&
    typeof (value as { open?: unknown }).open === "function"
  );
}

/** Whether a body value can be sent more than once. */
export function isReplayableValue(value: RequestBody): boolean {
  return (
    typeof value === "string" ||
    value instanceof Uint8Array ||
    value instanceof ArrayBuffer ||
    value instanceof URLSearchParams ||
    (typeof Blob !== "undefined" && value instanceof Blob) ||
    (typeof FormData !== "undefined" && value instanceof FormData) ||
    typeof value === "function" ||
    isReplayableBody(value)
  );
}

/** Checks that a value is an accepted body kind; throws InvalidRequestError otherwise. */
export function assertRequestBody(value: unknown): asserts value is RequestBody {
  if (
    isReplayableValue(value as RequestBody) ||
    value instanceof Readable ||
    (typeof value === "object" &&
      value !== null &&
      (Symbol.asyncIterator in value || typeof (value as ReadableStream).getReader === "function"))
  ) {
    return;
  }
  throw new InvalidRequestError(
    "request body must be a string, bytes, Blob, FormData, URLSearchParams, a Node Readable, a web ReadableStream, an async iterable or a function returning one",
  );
}
