/** Thrown when an `aws-chunked` body is malformed. */
export class AwsChunkedError extends Error {
  override name = "AwsChunkedError" as const;
}

/** Where decoded trailers end up once the body has been read. */
export interface AwsChunkedTrailers {
  /** Lower-case trailer name -> value, e.g. `x-amz-checksum-crc32`. */
  values: Record<string, string>;
}

const CRLF = Buffer.from("\r\n");

type DecoderState = "size" | "data" | "data-end" | "trailer" | "done";
const MAX_LINE = 4096;

/**
 * Decodes an `aws-chunked` body (`<hex-size>[;chunk-signature=..]\r\n<data>\r\n ... 0\r\n<trailers>\r\n\r\n`),
 * yielding the data chunks and filling `trailers` at the end. Streams: never holds more than one
 * incoming chunk plus one header line.
 */
export async function* decodeAwsChunked(
  source: AsyncIterable<Buffer>,
  trailers: AwsChunkedTrailers,
): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  let state: DecoderState = "size";
  // A function, so that control-flow narrowing inside the loop does not leak past it.
  const complete = (): boolean => state === "done" || (state === "trailer" && pending.length === 0);
  let remaining = 0;
  for await (const incoming of source) {
    pending = pending.length === 0 ? incoming : Buffer.concat([pending, incoming]);
    for (;;) {
      if (state === "data") {
        if (pending.length === 0) break;
        const take = Math.min(remaining, pending.length);
        yield pending.subarray(0, take);
        pending = pending.subarray(take);
        remaining -= take;
        if (remaining === 0) state = "data-end";
        continue;
      }
      if (state === "done") {
        if (pending.length > 0) throw new AwsChunkedError("data after the end of the aws-chunked body");
        break;
      }
      const eol = pending.indexOf(CRLF);
      if (eol < 0) {
        if (pending.length > MAX_LINE) throw new AwsChunkedError("aws-chunked header line too long");
        break;
      }
      const line = pending.subarray(0, eol).toString("latin1");
      pending = pending.subarray(eol + 2);
      if (state === "data-end") {
        if (line !== "") throw new AwsChunkedError("missing CRLF after an aws-chunked chunk");
        state = "size";
      } else if (state === "size") {
        const size = /^([0-9a-fA-F]{1,16})(?:;.*)?$/.exec(line)?.[1];
        if (size === undefined)
          throw new AwsChunkedError(`bad aws-chunked size line ${JSON.stringify(line)}`);
        remaining = Number.parseInt(size, 16);
        state = remaining === 0 ? "trailer" : "data";
      } else if (line === "") {
        state = "done";
      } else {
        const colon = line.indexOf(":");
        if (colon <= 0) throw new AwsChunkedError(`bad aws-chunked trailer ${JSON.stringify(line)}`);
        trailers.values[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    }
  }
  // Some clients end right after the trailers without the final empty line.
  if (!complete()) {
    throw new AwsChunkedError("aws-chunked body ended early");
  }
}
