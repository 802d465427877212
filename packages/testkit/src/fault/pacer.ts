import { setTimeout as sleep } from "node:timers/promises";

/**
 * Paces a byte stream to a rate: call {@link Pacer.slice} to cut a chunk into pieces of at most
 * 50 ms worth of bytes, then `await pacer.wait(n)` before writing each piece.
 */
export class Pacer {
  readonly bytesPerSec: number;
  #nextAt = 0;

  /** @param bytesPerSec - a positive finite rate. */
  constructor(bytesPerSec: number) {
    if (!Number.isFinite(bytesPerSec) || bytesPerSec <= 0) {
      throw new RangeError(`bytesPerSec must be a positive number, got ${bytesPerSec}`);
    }
    this.bytesPerSec = bytesPerSec;
  }

  /** Cuts `chunk` into pieces small enough to keep the rate smooth (at most 50 ms of bytes each). */
  slice(chunk: Buffer): Buffer[] {
    const piece = Math.max(1, Math.floor(this.bytesPerSec / 20));
    if (chunk.length <= piece) return [chunk];
    const pieces: Buffer[] = [];
    for (let at = 0; at < chunk.length; at += piece) pieces.push(chunk.subarray(at, at + piece));
    return pieces;
  }

  /**
   * Waits until `bytes` more may be sent, then books them: the first piece goes at once, each later
   * one `bytes / bytesPerSec` after the previous. Rejects with an `AbortError` when `signal` aborts.
   */
  async wait(bytes: number, signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const start = Math.max(now, this.#nextAt);
    this.#nextAt = start + (bytes * 1000) / this.bytesPerSec;
    if (start > now) await sleep(start - now, undefined, { signal });
  }
}
