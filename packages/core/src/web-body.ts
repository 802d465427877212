import type { Readable } from "node:stream";

/** What a web stream made by {@link toWebStream} does when its source fails or is cancelled. */
export interface WebStreamHooks {
  /** The value the stream errors with, given what the Node stream failed with. @default the error itself */
  readonly error?: ((error: unknown) => unknown) | undefined;
  /** Gives the source up when the reader cancels. @default destroys the Node stream */
  readonly cancel?: ((source: Readable) => unknown) | undefined;
}

// Bytes queued ahead of the reader before the source is paused (a socket read or two).
const HIGH_WATER_MARK = 64 * 1024;

function ignore(): void {}

/**
 * The underlying source of a WHATWG byte stream over a Node stream. Nothing is taken from the Node
 * stream before the first read; until then {@link NodeByteSource.takeover} can hand the Node stream
 * to a faster consumer (a whole-body read) and close the web stream empty.
 */
export class NodeByteSource implements UnderlyingByteSource {
  readonly type = "bytes" as const;
  readonly #source: Readable;
  readonly #hooks: WebStreamHooks;
  #controller: ReadableByteStreamController | undefined;
  // idle: nothing read yet; flowing: listeners attached; done: closed, errored, cancelled or taken.
  #state: "idle" | "flowing" | "done" = "idle";
  // Called once when the source is let go (see onDone).
  #done: (() => void) | undefined;

  constructor(source: Readable, hooks: WebStreamHooks) {
    this.#source = source;
    this.#hooks = hooks;
  }

  start(controller: ReadableByteStreamController): void {
    this.#controller = controller;
    const source = this.#source;
    if (source.readableEnded) {
      this.#state = "done";
      controller.close();
    } else if (source.destroyed) {
      this.#state = "done";
      controller.error(this.#failure(source.errored ?? new Error("the body was destroyed before it ended")));
    }
  }

  pull(): void {
    if (this.#state === "idle") {
      this.#state = "flowing";
      this.#source.on("data", this.#onData).on("end", this.#onEnd).on("error", this.#onError);
      this.#source.on("close", this.#onClose);
    }
    this.#source.resume();
  }

  cancel(): void {
    if (this.#state === "done") return;
    this.#detach();
    if (this.#hooks.cancel) this.#hooks.cancel(this.#source);
    else this.#source.destroy();
  }

  /**
   * Errors the web stream with `reason` at once (fetch's abort: the body errors with the signal's
   * reason synchronously) and destroys the source. Nothing once the stream is done.
   */
  abort(reason: unknown): void {
    if (this.#state === "done") return;
    this.#detach();
    this.#controller?.error(reason);
    this.#source.destroy();
  }

  /** Runs `fn` once when the source is let go: ended, failed, cancelled, aborted or taken over. */
  onDone(fn: () => void): void {
    if (this.#state === "done") fn();
    else this.#done = fn;
  }

  #finish(): void {
    const done = this.#done;
    this.#done = undefined;
    done?.();
  }

  /**
   * The Node stream, when nothing has been read from it yet; the web stream is closed empty (its
   * reader sees the end at once). `undefined` once reading has begun.
   */
  takeover(): Readable | undefined {
    if (this.#state !== "idle") return undefined;
    this.#state = "done";
    this.#finish();
    this.#controller?.close();
    return this.#source;
  }

  /** What the web stream errors with for a failure of the Node stream. */
  readonly #failure = (error: unknown): unknown => (this.#hooks.error ? this.#hooks.error(error) : error);

  #detach(): void {
    this.#state = "done";
    this.#finish();
    const source = this.#source;
    source.off("data", this.#onData);
    source.off("end", this.#onEnd);
    source.off("error", this.#onError);
    source.off("close", this.#onClose);
    // The source may still fail after we let go: that error has no reader left to reach.
    source.on("error", ignore);
  }

  readonly #onData = (chunk: Buffer | string): void => {
    const controller = this.#controller!;
    // Enqueueing into a byte stream transfers the buffer; undici's chunks are views on the
    // socket's own buffer, so each is copied (fetch copies the same way).
    controller.enqueue(typeof chunk === "string" ? Buffer.from(chunk) : new Uint8Array(chunk));
    // The queue holds up to HIGH_WATER_MARK bytes beyond what readers asked for.
    if ((controller.desiredSize ?? 0) < -HIGH_WATER_MARK) this.#source.pause();
  };

  readonly #onEnd = (): void => {
    this.#detach();
    const controller = this.#controller!;
    controller.close();
    // A BYOB read waiting when the body ends is answered with zero bytes (end of stream).
    controller.byobRequest?.respond(0);
  };

  readonly #onError = (error: unknown): void => {
    this.#detach();
    this.#controller!.error(this.#failure(error));
  };

  readonly #onClose = (): void => {
    // Destroyed without an error and without ending: the body was cut short.
    if (this.#state !== "done") this.#onError(new Error("the body was destroyed before it ended"));
  };
}

/**
 * A WHATWG byte stream over a Node stream, as fetch's response bodies are: default and BYOB
 * readers, backpressure (the source pauses while the queue is full), and a cancel that gives the
 * source up exactly once. Once the stream is closed, errored or cancelled, nothing the source
 * does later touches the controller (the bridge `Readable.toWeb` crashed the process there).
 */
export function toWebStream(source: Readable, hooks: WebStreamHooks = {}): ReadableStream<Uint8Array> {
  return byteStream(new NodeByteSource(source, hooks));
}

/** The web stream of a {@link NodeByteSource}. */
export function byteStream(source: NodeByteSource): ReadableStream<Uint8Array> {
  // A high-water mark of 0: nothing is pulled before the first read (see takeover()).
  // `size: undefined` written out: an inherited Object.prototype.size must not be read (WPT
  // stream-safe-creation), and a byte stream takes no size function.
  const strategy = { highWaterMark: 0, size: undefined } as { highWaterMark: number };
  return new ReadableStream(source, strategy) as ReadableStream<Uint8Array>;
}

/**
 * Reads a whole Node stream into one new Uint8Array of exactly its length (the one copy a
 * whole-body read needs); a failure rejects with what `fail` makes of it.
 */
export function readAll(source: Readable, fail: (error: unknown) => unknown): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    source.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    source.once("end", () => {
      settled = true;
      const out = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        out.set(chunk, offset);
        offset += chunk.length;
      }
      resolve(out);
    });
    source.once("error", (error: unknown) => {
      settled = true;
      reject(fail(error));
    });
    source.once("close", () => {
      if (!settled) reject(fail(new Error("the body was destroyed before it ended")));
    });
  });
}
