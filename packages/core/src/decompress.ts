import type { DecodeLimits } from "./decompress-stream.ts";
import { decodersFor, decodeStream, MAX_CODINGS, parseCodings } from "./decompress-stream.ts";
import { DecompressionLimitError, InvalidOptionsError, ResponseError } from "./errors.ts";
import { redactUrl } from "./redact.ts";
import type { HttpResponse } from "./response.ts";

/** Bounds on a decoded body, against decompression bombs. */
export interface DecompressLimits {
  /** Most bytes a body may decode to; more fails the read with `DecompressionLimitError`. @default undefined (no bound) */
  readonly maxBytes?: number | undefined;
  /**
   * Most decoded bytes per received byte, judged once more than 1 MiB has been decoded (small
   * bodies compress well too); `Infinity` for no bound. @default 100
   */
  readonly maxRatio?: number | undefined;
}

/**
 * Decoding of compressed response bodies on `client.request`: `true` for the default bounds, an
 * object for other bounds, `false` to leave bodies as sent. @default false
 */
export type DecompressOption = boolean | DecompressLimits;

/** The `decompress` option, as a client option and a per-call one. */
export interface DecompressOptions {
  /**
   * Decode gzip, x-gzip, deflate (zlib or raw), br and zstd bodies while streaming, after the
   * chain (so digests and integrity checks see the bytes the server declared them for). The
   * decoded response has no `Content-Encoding` and no `Content-Length`. `client.fetch` always
   * decodes, as fetch does. @default false
   */
  readonly decompress?: DecompressOption | undefined;
}

/** The default decoded-to-received ratio bound. */
export const DEFAULT_MAX_RATIO = 100;

const DEFAULT_LIMITS: DecodeLimits = Object.freeze({ maxRatio: DEFAULT_MAX_RATIO });

/** Checks a `decompress` option; `undefined` means off. Throws InvalidOptionsError when bad. */
export function decompressLimits(option: DecompressOption | undefined): DecodeLimits | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return DEFAULT_LIMITS;
  if (typeof option !== "object" || option === null) {
    throw new InvalidOptionsError(
      `decompress must be a boolean or { maxBytes, maxRatio }, got ${String(option)}`,
    );
  }
  const { maxBytes, maxRatio = DEFAULT_MAX_RATIO } = option;
  if (maxBytes !== undefined && (!Number.isFinite(maxBytes) || maxBytes <= 0)) {
    throw new InvalidOptionsError(`decompress.maxBytes must be a number > 0, got ${String(maxBytes)}`);
  }
  if (typeof maxRatio !== "number" || !(maxRatio >= 1)) {
    throw new InvalidOptionsError(
      `decompress.maxRatio must be a number >= 1 (Infinity for no bound), got ${String(maxRatio)}`,
    );
  }
  return Object.freeze({ maxBytes, maxRatio: maxRatio === Number.POSITIVE_INFINITY ? undefined : maxRatio });
}

// Statuses whose responses carry no body.
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Whether fetch would decode this response: a body may exist (not HEAD, not a null-body status)
 * and Content-Encoding names codings.
 */
export function encodedCodings(res: HttpResponse, method: string): string[] | undefined {
  const header = res.headers.get("content-encoding");
  if (header === undefined || method === "HEAD" || NULL_BODY_STATUS.has(res.status) || !res.hasBody) {
    return undefined;
  }
  const codings = parseCodings(header);
  return codings.length === 0 ? undefined : codings;
}

/**
 * The response with its body decoded as it streams, or the response itself when it is not encoded
 * or uses a coding this Node cannot decode. `strip` drops Content-Encoding and Content-Length
 * (they describe the bytes on the wire); fetch keeps them, as Node's fetch does.
 */
export function decodeResponse(
  res: HttpResponse,
  method: string,
  limits: DecodeLimits | undefined,
  strip: boolean,
): HttpResponse {
  const codings = encodedCodings(res, method);
  if (codings === undefined) return res;
  const where = { method, url: redactUrl(res.url), context: res.context };
  if (codings.length > MAX_CODINGS) {
    void res.discard();
    throw new ResponseError(
      `too many content codings (${codings.length}, at most ${MAX_CODINGS} are decoded)`,
      where,
    );
  }
  const decoders = decodersFor(codings);
  if (decoders === undefined) return res;
  const body = decodeStream(res.body, decoders, limits, (cause, limit, value) => {
    if (limit === "bytes")
      return new DecompressionLimitError("bytes", `the body decodes to more than ${value} bytes`, where);
    if (limit === "ratio") {
      return new DecompressionLimitError(
        "ratio",
        `the body decodes to more than ${value} times its size on the wire`,
        where,
      );
    }
    return new ResponseError(`the ${codings.join(", ")} body could not be decoded`, { ...where, cause });
  });
  return res.with({
    body,
    ...(strip ? { headers: res.headers.delete("content-encoding", "content-length") } : {}),
  });
}

/**
 * `request` with the `decompress` option applied after the chain: the per-call value, else the
 * client's (read through `clientLimits`, so a reload changes it). A call with nothing to decode
 * gets `request`'s own promise.
 */
export function withDecompression<I, C extends DecompressOptions>(
  request: (input: I, init?: C) => Promise<HttpResponse>,
  clientLimits: () => DecodeLimits | undefined,
): (input: I, init?: C) => Promise<HttpResponse> {
  return function decompressing(input, init) {
    const option = init?.decompress;
    let limits: DecodeLimits | undefined;
    try {
      limits = option === undefined ? clientLimits() : decompressLimits(option);
    } catch (error) {
      return Promise.reject(error);
    }
    if (limits === undefined) return request(input, init);
    const active = limits;
    return request(input, init).then((res) =>
      decodeResponse(res, res.request?.method ?? "GET", active, true),
    );
  };
}
