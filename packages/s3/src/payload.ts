import type { HttpRequest } from "@switchyard/core";
import { sha256Hex } from "./sha256.ts";
import { UNSIGNED_PAYLOAD } from "./sign-request.ts";

/** How a body is signed and how long it is. */
export interface Payload {
  /** Hex SHA-256 for in-memory bodies, `UNSIGNED-PAYLOAD` for streams. */
  readonly hash: string;
  /** Byte length when known (in-memory bodies, Blobs, `replayable(..., { length })`, a Content-Length header). */
  readonly length: number | undefined;
}

const EMPTY_HASH = sha256Hex("");

function declaredLength(request: HttpRequest): number | undefined {
  const header = request.headers.get("content-length");
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

/**
 * The payload hash and length of a request body. In-memory bodies are hashed (S3 then checks the
 * bytes it received); streams are sent as `UNSIGNED-PAYLOAD` so nothing is buffered, which TLS
 * covers in transit.
 */
export function describePayload(request: HttpRequest): Payload {
  const body = request.body;
  if (body === undefined) return { hash: EMPTY_HASH, length: undefined };
  if (typeof body === "string") return { hash: sha256Hex(body), length: Buffer.byteLength(body) };
  if (body instanceof Uint8Array) return { hash: sha256Hex(body), length: body.byteLength };
  if (body instanceof ArrayBuffer) return { hash: sha256Hex(new Uint8Array(body)), length: body.byteLength };
  if (body instanceof URLSearchParams) {
    const text = body.toString();
    return { hash: sha256Hex(text), length: Buffer.byteLength(text) };
  }
  if (typeof Blob !== "undefined" && body instanceof Blob)
    return { hash: UNSIGNED_PAYLOAD, length: body.size };
  const replayableLength =
    typeof body === "object" && body !== null && (body as { kind?: unknown }).kind === "switchyard:replayable"
      ? (body as { length?: number }).length
      : undefined;
  return { hash: UNSIGNED_PAYLOAD, length: replayableLength ?? declaredLength(request) };
}
