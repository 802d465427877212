import { createHash } from "node:crypto";

/** A body read to its end: its SHA-256 (hex) and length. */
export interface DrainedBody {
  readonly sha256: string;
  readonly bytes: number;
}

/** Reads a body to its end, hashing each chunk as it passes and keeping none. */
export async function drainSha256(body: AsyncIterable<Uint8Array>): Promise<DrainedBody> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest("hex"), bytes };
}
