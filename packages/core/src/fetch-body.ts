import nodeStream from "node:stream";

// Node's isDisturbed covers web streams (typed for Node streams only).
const isDisturbed = (nodeStream as unknown as { isDisturbed: (s: unknown) => boolean }).isDisturbed;

import type { RequestBody } from "./body.ts";
import { joinChunks } from "./read-whole.ts";

/**
 * A `Request`'s body up to this many bytes is read into memory before sending: it then goes out
 * with `Content-Length` and can be sent again (307/308, retries). A larger one is streamed once.
 */
export const REQUEST_BODY_BUFFER_LIMIT: number = 1024 * 1024;

function isStream(value: object): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream).getReader === "function";
}

/**
 * A fetch `BodyInit` as a Switchyard body, with fetch's checks: a stream (or async iterable)
 * needs `duplex: "half"` and must not be locked or read; anything that is not a body kind is sent
 * as its string, as fetch does.
 */
export function fetchBody(body: unknown, duplex: unknown): RequestBody | undefined {
  if (body == null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (typeof body !== "object") return String(body);
  // Bytes are sent as they are when sent (no copy at call time, unlike fetch's snapshot).
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Blob || body instanceof FormData || body instanceof URLSearchParams) return body;
  const stream = isStream(body);
  if (stream || Symbol.asyncIterator in body) {
    if (duplex !== "half") throw new TypeError("RequestInit: duplex option is required when sending a body.");
    if (stream && (body.locked || isDisturbed(body))) {
      throw new TypeError("Response body object should not be disturbed or locked");
    }
    return body as RequestBody;
  }
  return String(body);
}

/**
 * A `Request`'s body as something Switchyard can send. Its source is internal to the Request, so
 * the stream is read: up to {@link REQUEST_BODY_BUFFER_LIMIT} bytes become an in-memory body
 * (Content-Length, replayable); past that, the bytes read so far and the rest of the stream are
 * sent once, chunked.
 */
export async function readRequestBody(stream: ReadableStream<Uint8Array>): Promise<RequestBody> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concat(chunks);
    chunks.push(value);
    size += value.byteLength;
    if (size > REQUEST_BODY_BUFFER_LIMIT) return rest(chunks, reader);
  }
}

// One chunk is handed on as it is (the request body is ours until it is sent).
function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? chunks[0]! : joinChunks(chunks);
}

async function* rest(
  head: readonly Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
): AsyncIterable<Uint8Array> {
  let finished = false;
  try {
    yield* head;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
  }
}
