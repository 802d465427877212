import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { crc32 } from "node:zlib";
import { AwsChunkedError, type AwsChunkedTrailers, decodeAwsChunked } from "./aws-chunked-decoder.ts";
import { discardSpooledBody, type SpoolBodyOptions, type SpooledBody, spoolBody } from "./spool-body.ts";

/** An S3 error the front answers with. */
export interface S3Failure {
  status: number;
  code: string;
  message: string;
  details?: Record<string, string>;
}

/** The payload modes the front verifies before forwarding. */
export type PayloadCheck =
  | { ok: true; body: SpooledBody; decoded: boolean }
  | { ok: false; error: S3Failure };

async function* tap(source: AsyncIterable<Buffer>, onChunk: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    onChunk(chunk);
    yield chunk;
  }
}

/** Reads the body and checks it against a signed hex SHA-256 (`x-amz-content-sha256`). */
export async function checkSha256Payload(
  req: IncomingMessage,
  expectedHex: string,
  options: SpoolBodyOptions,
): Promise<PayloadCheck> {
  const hash = createHash("sha256");
  const body = await spoolBody(
    tap(req, (chunk) => hash.update(chunk)),
    options,
  );
  const actual = hash.digest("hex");
  if (actual === expectedHex) return { ok: true, body, decoded: false };
  await discardSpooledBody(body);
  return {
    ok: false,
    error: {
      status: 400,
      code: "XAmzContentSHA256Mismatch",
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
      details: { ClientComputedContentSHA256: expectedHex, S3ComputedContentSHA256: actual },
    },
  };
}

/** Incremental checksums for the trailer algorithms node can compute. */
function checksumOf(
  name: string,
): { update(chunk: Buffer): void; digest(): string; label: string } | undefined {
  if (name === "x-amz-checksum-crc32") {
    let value = 0;
    return {
      label: "CRC32",
      update: (chunk) => {
        value = crc32(chunk, value);
      },
      digest: () => {
        const bytes = Buffer.alloc(4);
        bytes.writeUInt32BE(value >>> 0);
        return bytes.toString("base64");
      },
    };
  }
  const algorithm =
    name === "x-amz-checksum-sha256" ? "sha256" : name === "x-amz-checksum-sha1" ? "sha1" : undefined;
  if (!algorithm) return undefined;
  const hash = createHash(algorithm);
  return {
    label: algorithm.toUpperCase(),
    update: (chunk) => hash.update(chunk),
    digest: () => hash.digest("base64"),
  };
}

/**
 * Decodes a `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (aws-chunked) body, checks its decoded length
 * against `x-amz-decoded-content-length` and its trailing checksum (CRC32, SHA-1, SHA-256; other
 * algorithms pass unchecked).
 */
export async function checkUnsignedTrailerPayload(
  req: IncomingMessage,
  options: SpoolBodyOptions,
): Promise<PayloadCheck> {
  const trailerName = String(req.headers["x-amz-trailer"] ?? "").toLowerCase();
  const checksum = trailerName === "" ? undefined : checksumOf(trailerName);
  const trailers: AwsChunkedTrailers = { values: {} };
  let body: SpooledBody;
  try {
    body = await spoolBody(
      tap(decodeAwsChunked(req, trailers), (chunk) => checksum?.update(chunk)),
      options,
    );
  } catch (error) {
    if (!(error instanceof AwsChunkedError)) throw error;
    return { ok: false, error: { status: 400, code: "InvalidRequest", message: error.message } };
  }
  const fail = async (error: S3Failure): Promise<PayloadCheck> => {
    await discardSpooledBody(body);
    return { ok: false, error };
  };
  const declared = Number(req.headers["x-amz-decoded-content-length"]);
  if (req.headers["x-amz-decoded-content-length"] !== undefined && declared !== body.size) {
    return fail({
      status: 400,
      code: "IncompleteBody",
      message: `x-amz-decoded-content-length is ${declared} but the body decoded to ${body.size} bytes.`,
    });
  }
  if (checksum) {
    const sent = trailers.values[trailerName];
    const actual = checksum.digest();
    if (sent === undefined) {
      return fail({ status: 400, code: "InvalidRequest", message: `the ${trailerName} trailer is missing` });
    }
    if (sent !== actual) {
      return fail({
        status: 400,
        code: "BadDigest",
        message: `The ${checksum.label} you specified did not match the calculated checksum.`,
      });
    }
  }
  return { ok: true, body, decoded: true };
}
