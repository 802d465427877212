import { once } from "node:events";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Pacer } from "./pacer.ts";

/** Bytes a direction holds before it stops reading its source (TCP backpressure takes over). */
const HIGH_WATER = 1024 * 1024;

/** How one direction of a proxied connection behaves right now; read before each chunk. */
export interface PumpControl {
  /** True while nothing may be forwarded (blackhole, or no target socket yet). */
  held(): boolean;
  /** Latency to add to chunks received from now on. */
  delayMs(): number;
  /** Rate limit, or undefined. */
  bytesPerSec(): number | undefined;
  /** Total bytes after which to cut this direction, or undefined. */
  cutAfter(): number | undefined;
  /** Called once the cut point's bytes have been handed to the socket. */
  onCut(): void;
  /** Called for each forwarded piece. */
  onBytes(bytes: number): void;
}

/**
 * Forwards one direction of a proxied connection chunk by chunk, applying latency, pacing and a cut
 * point, with bounded buffering. Stops for good when `signal` aborts.
 */
export class Pump {
  #src: Socket | undefined;
  readonly #dst: () => Socket | undefined;
  readonly #control: PumpControl;
  readonly #signal: AbortSignal;
  readonly #queue: { chunk: Buffer; at: number }[] = [];
  #queued = 0;
  #forwarded = 0;
  #ended = false;
  #running = false;
  #pacer: Pacer | undefined;

  constructor(dst: () => Socket | undefined, control: PumpControl, signal: AbortSignal) {
    this.#dst = dst;
    this.#control = control;
    this.#signal = signal;
  }

  /** Starts reading `src` (once). */
  attach(src: Socket): void {
    this.#src = src;
    src.on("data", (chunk: Buffer) => {
      if (this.#signal.aborted) return;
      this.#queue.push({ chunk, at: performance.now() + this.#control.delayMs() });
      this.#queued += chunk.length;
      if (this.#queued >= HIGH_WATER) src.pause();
      this.kick();
    });
    src.once("end", () => {
      this.#ended = true;
      this.kick();
    });
  }

  /** Bytes forwarded so far. */
  get forwarded(): number {
    return this.#forwarded;
  }

  /** Resumes forwarding after a mode change or new data; a no-op while already running. */
  kick(): void {
    if (this.#running || this.#signal.aborted) return;
    this.#running = true;
    this.#run()
      .catch(() => {}) // aborted sleeps and drains: the connection is gone
      .finally(() => {
        this.#running = false;
      });
  }

  async #run(): Promise<void> {
    for (;;) {
      if (this.#signal.aborted || this.#control.held()) return;
      const dst = this.#dst()!;
      const item = this.#queue[0];
      if (!item) {
        if (this.#ended && !dst.writableEnded) dst.end();
        return;
      }
      const wait = item.at - performance.now();
      if (wait > 0) {
        await sleep(wait, undefined, { signal: this.#signal });
        continue;
      }
      const cutAfter = this.#control.cutAfter();
      const room = cutAfter === undefined ? Number.POSITIVE_INFINITY : cutAfter - this.#forwarded;
      const cutting = item.chunk.length >= room;
      const chunk = cutting ? item.chunk.subarray(0, Math.max(0, room)) : item.chunk;
      await this.#write(dst, chunk, cutting);
      if (cutting) {
        this.#control.onCut();
        return;
      }
      this.#queue.shift();
      this.#queued -= item.chunk.length;
      if (this.#queued < HIGH_WATER / 2 && this.#src?.isPaused()) this.#src.resume();
    }
  }

  /** Writes `chunk` paced; with `flush`, resolves only once it has been handed to the socket. */
  async #write(dst: Socket, chunk: Buffer, flush: boolean): Promise<void> {
    const rate = this.#control.bytesPerSec();
    if (rate === undefined) this.#pacer = undefined;
    else if (this.#pacer?.bytesPerSec !== rate) this.#pacer = new Pacer(rate);
    const pacer = this.#pacer;
    const pieces = pacer ? pacer.slice(chunk) : [chunk];
    for (const [i, piece] of pieces.entries()) {
      if (pacer) await pacer.wait(piece.length, this.#signal);
      this.#signal.throwIfAborted();
      this.#forwarded += piece.length;
      this.#control.onBytes(piece.length);
      if (flush && i === pieces.length - 1) {
        await new Promise<void>((resolve) => dst.write(piece, () => resolve()));
      } else if (!dst.write(piece)) {
        await once(dst, "drain", { signal: this.#signal });
      }
    }
  }
}
