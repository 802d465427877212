import type { HttpResponse } from "@switchyard/core";

/**
 * Reads a response body as UTF-8 when it is at most `limit` bytes; a larger one is destroyed and
 * undefined returned. Never throws.
 */
export async function readSmallBody(response: HttpResponse, limit: number): Promise<string | undefined> {
  const declared = Number(response.headers.get("content-length"));
  const stream = response.body;
  if (Number.isFinite(declared) && declared > limit) {
    stream.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      size += buf.length;
      if (size > limit) {
        stream.destroy();
        return undefined;
      }
      chunks.push(buf);
    }
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks).toString("utf8");
}
