import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { join } from "node:path";

/** A body read to its end: in memory when small, in a spool file otherwise. */
export type SpooledBody = { size: number; memory: Buffer } | { size: number; file: string };

/** Options of {@link spoolBody}. */
export interface SpoolBodyOptions {
  /** Bodies up to this many bytes stay in memory; larger ones go to a file in `spoolDir`. */
  memoryLimitBytes: number;
  spoolDir: string;
}

/**
 * Reads `source` to its end, keeping at most `memoryLimitBytes` in memory (the rest of a larger body
 * goes to a file), so that a body can be checked before any of it is forwarded. On error the spool
 * file is removed.
 */
export async function spoolBody(
  source: AsyncIterable<Buffer>,
  options: SpoolBodyOptions,
): Promise<SpooledBody> {
  let size = 0;
  let chunks: Buffer[] = [];
  let file: string | undefined;
  let spool: ReturnType<typeof createWriteStream> | undefined;
  try {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (!spool && size <= options.memoryLimitBytes) {
        chunks.push(chunk);
        continue;
      }
      if (!spool) {
        file = join(options.spoolDir, `body-${randomUUID()}`);
        spool = createWriteStream(file);
        for (const held of chunks) spool.write(held);
        chunks = [];
      }
      if (!spool.write(chunk)) await once(spool, "drain");
    }
    if (spool) {
      const closing = spool;
      await new Promise<void>((resolve, reject) => {
        closing.once("error", reject);
        closing.end(resolve);
      });
    }
  } catch (error) {
    spool?.destroy();
    if (file) await unlink(file).catch(() => {});
    throw error;
  }
  return file ? { size, file } : { size, memory: Buffer.concat(chunks) };
}

/** Removes a spooled body's file, if it has one. */
export async function discardSpooledBody(body: SpooledBody): Promise<void> {
  if ("file" in body) await unlink(body.file).catch(() => {});
}
