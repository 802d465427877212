import { createHash } from "node:crypto";
import type { Client, HttpResponse } from "@switchyard/core";
import { causeChain, describeError } from "../cause-chain.ts";
import type { CheckContext } from "../check-context.ts";
import { isConformanceError } from "../conformance-error.ts";
import { LiveMemory } from "../live-memory.ts";
import { LagExceeded, PulledByteSource } from "../pulled-byte-source.ts";

const MiB = 1024 * 1024;
const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;

/** Calls `checkpoint` each time progress passes another quarter of `size`. */
function quarters(size: number, checkpoint: () => void): (done: number) => void {
  let next = size / 4;
  return (done) => {
    if (done < next) return;
    while (next <= done) next += size / 4;
    checkpoint();
  };
}

async function upload(
  ctx: CheckContext,
  client: Client,
  size: number,
  limit: number,
  checkpoint: () => void,
): Promise<void> {
  const { counters } = ctx.server;
  // The server resets its counters when the request arrives; reset them here too so that an
  // earlier transfer's count never passes for this one's before its request gets there.
  counters.uploadReceived = 0;
  const source = new PulledByteSource(size, () => counters.uploadReceived, limit, quarters(size, checkpoint));
  let uploaded: { bytes: number; sha256: string } | undefined;
  let status = 0;
  try {
    const response = await client.request(ctx.url("upload"), {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: source,
    });
    status = response.status;
    if (status === 200) uploaded = await response.json();
    else await response.discard();
  } catch (error) {
    const conformance = causeChain(error).find(isConformanceError);
    if (conformance !== undefined) throw conformance;
    if (source.exceeded || causeChain(error).some((e) => e instanceof LagExceeded)) {
      ctx.fail(
        `the request body was read ${mib(source.maxLag)} ahead of what reached the server (limit ${mib(limit)}): the middleware buffers request bodies; pass the stream on instead`,
        error,
      );
    }
    ctx.fail(`the upload failed: ${describeError(error)}`, error);
  }
  if (uploaded === undefined) ctx.fail(`the upload answered ${status}, expected 200`);
  if (source.deliveredAtEnd === 0) {
    ctx.fail(
      "the server had received nothing when the body's last chunk was read: the middleware reads the whole request body before sending it",
    );
  }
  if (uploaded.bytes !== size || uploaded.sha256 !== source.sha256) {
    ctx.fail(`the server received ${uploaded.bytes} bytes of ${size}, or different bytes (sha256 differs)`);
  }
}

async function download(
  ctx: CheckContext,
  client: Client,
  size: number,
  limit: number,
  checkpoint: () => void,
): Promise<void> {
  const { counters } = ctx.server;
  counters.downloadSent = 0;
  counters.downloadSha256 = undefined;
  let response: HttpResponse;
  try {
    response = await client.request(ctx.url("download", { query: { size: String(size) } }));
  } catch (error) {
    ctx.fail(`the download failed: ${describeError(error)}`, error);
  }
  const sentAtHeaders = counters.downloadSent;
  if (response.status !== 200) {
    await response.discard();
    ctx.fail(`the download answered ${response.status}, expected 200`);
  }
  if (sentAtHeaders >= size) {
    await response.discard();
    ctx.fail(
      `the server had sent the whole ${mib(size)} body before the response reached the caller: the middleware reads response bodies before returning them`,
    );
  }
  const progress = quarters(size, checkpoint);
  const hash = createHash("sha256");
  let received = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      received += chunk.length;
      hash.update(chunk);
      const lag = counters.downloadSent - received;
      if (lag > limit) {
        response.body.destroy();
        ctx.fail(
          `the server ran ${mib(lag)} ahead of what the caller read (limit ${mib(limit)}): the middleware buffers response bodies`,
        );
      }
      progress(received);
    }
  } catch (error) {
    if (isConformanceError(error)) throw error;
    ctx.fail(`reading the response body failed: ${describeError(error)}`, error);
  }
  if (received !== size || hash.digest("hex") !== counters.downloadSha256) {
    ctx.fail(`the caller read ${received} bytes of ${size}, or different bytes (sha256 differs)`);
  }
}

/**
 * A body larger than the memory limit goes up, and another comes down, through the middleware,
 * generated on the fly at both ends and checked whole (byte count and sha256). Two signals of
 * buffering, each held to `memoryLimit`:
 * - the byte lag: the upload source makes a chunk only when pulled and compares what it produced
 *   with what the server received; the server writes only as fast as the client reads, and the
 *   reader compares what the server sent with what it got. A middleware that reads a body whole
 *   before passing it on runs far ahead (and the server has sent everything before the caller
 *   sees the response).
 * - live memory: at each quarter of each transfer a full garbage collection runs and the V8 heap
 *   plus external memory is compared with the start, which catches a middleware that streams but
 *   keeps what went through. (The resident set is no use here: pages freed by earlier garbage are
 *   reused, so a middleware keeping a 32 MiB copy grew it by less than 16 MiB in our tests.)
 *   Skipped where no full collection can be run.
 */
export async function checkStreaming(ctx: CheckContext): Promise<void> {
  const { bodySize, memoryLimit } = ctx.options;
  const client = ctx.client();
  const memory = LiveMemory.start();
  const checkpoint = (): void => {
    if (memory === undefined) return;
    const growth = memory.checkpoint();
    if (growth > memoryLimit) {
      ctx.fail(
        `${mib(growth)} more memory was live (after a full garbage collection) mid-transfer than before it (limit ${mib(memoryLimit)}): the middleware keeps body bytes`,
      );
    }
  };
  await upload(ctx, client, bodySize, memoryLimit, checkpoint);
  await download(ctx, client, bodySize, memoryLimit, checkpoint);
}
