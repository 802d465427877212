import { Readable } from "node:stream";
import type { BodyWriter } from "./cache-store.ts";

/** What {@link teeToStore} reports when the source is done. */
export type TeeOutcome = { readonly complete: true; readonly size: number } | { readonly complete: false };

/**
 * Streams `source` to the caller while writing the same bytes to `writer`, holding neither whole.
 * The caller's side buffers at most `maxLag` bytes beyond what the caller has read; past that the
 * source pauses, so a slow caller holds the write back only once it is `maxLag` behind, and memory
 * stays bounded. A slow store likewise pauses the source (its own buffer is bounded too).
 *
 * `onDone` runs once: `complete` when the source ended (the caller may still be reading the last
 * `maxLag` bytes, the entry is whole either way), not complete when the source failed or the caller
 * gave up first (destroyed its stream): then `onDone` must abort the writer so nothing is stored.
 */
export function teeToStore(
  source: Readable,
  writer: BodyWriter,
  maxLag: number,
  onDone: (outcome: TeeOutcome) => void,
): Readable {
  let settled = false;
  let size = 0;
  let waitingStore = false;
  let waitingCaller = false;
  const settle = (outcome: TeeOutcome): void => {
    if (settled) return;
    settled = true;
    onDone(outcome);
  };
  const resume = (): void => {
    if (!waitingStore && !waitingCaller && !out.destroyed) source.resume();
  };
  const out = new Readable({
    highWaterMark: maxLag,
    read() {
      waitingCaller = false;
      resume();
    },
    destroy(error, callback) {
      if (!settled) {
        settle({ complete: false });
        source.destroy();
      }
      callback(error);
    },
  });
  source.on("data", (chunk: Buffer) => {
    size += chunk.length;
    const storeReady = writer.write(chunk);
    const callerReady = out.push(chunk);
    if (!storeReady) {
      waitingStore = true;
      void writer.drain().then(() => {
        waitingStore = false;
        resume();
      });
    }
    if (!callerReady) waitingCaller = true;
    if (!storeReady || !callerReady) source.pause();
  });
  source.once("end", () => {
    settle({ complete: true, size });
    out.push(null);
  });
  source.once("error", (error) => {
    settle({ complete: false });
    out.destroy(error);
  });
  source.once("close", () => {
    // A source destroyed without 'end' or 'error' (the transport gave up) is incomplete too.
    if (!settled) {
      settle({ complete: false });
      out.destroy(new Error("the response body closed before its end"));
    }
  });
  return out;
}
