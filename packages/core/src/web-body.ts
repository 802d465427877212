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
 * A WHATWG byte stream over a Node stream, as fetch's response bodies are: default and BYOB
 * readers, backpressure (the source pauses while the queue is full), and a cancel that gives the
 * source up exactly once. Once the stream is closed, errored or cancelled, nothing the source
 * does later touches the controller (the bridge `Readable.toWeb` crashed the process there).
 */
export function toWebStream(source: Readable, hooks: WebStreamHooks = {}): ReadableStream<Uint8Array> {
  let controller: ReadableByteStreamController;
  let done = false;

  function detach(): void {
    done = true;
    source.off("data", onData);
    source.off("end", onEnd);
    source.off("error", onError);
    source.off("close", onClose);
    // The source may still fail after we let go: that error has no reader left to reach.
    source.on("error", ignore);
  }
  function onData(chunk: Buffer | string): void {
    // Enqueueing into a byte stream transfers the buffer; undici's chunks are views on the
    // socket's own buffer, so each is copied (fetch copies the same way).
    controller.enqueue(typeof chunk === "string" ? Buffer.from(chunk) : new Uint8Array(chunk));
    if ((controller.desiredSize ?? 0) <= 0) source.pause();
  }
  function onEnd(): void {
    detach();
    controller.close();
    // A BYOB read waiting when the body ends is answered with zero bytes (end of stream).
    controller.byobRequest?.respond(0);
  }
  function onError(error: unknown): void {
    detach();
    controller.error(hooks.error ? hooks.error(error) : error);
  }
  function onClose(): void {
    // Destroyed without an error and without ending: the body was cut short.
    if (!done) onError(new Error("the response body was destroyed before it ended"));
  }

  return new ReadableStream<Uint8Array>(
    {
      type: "bytes",
      start(c) {
        controller = c as ReadableByteStreamController;
        if (source.readableEnded) {
          done = true;
          c.close();
          return;
        }
        if (source.destroyed) {
          done = true;
          c.error(
            hooks.error ? hooks.error(source.errored ?? new Error("the body was destroyed")) : source.errored,
          );
          return;
        }
        source.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
      },
      pull() {
        source.resume();
      },
      cancel() {
        if (done) return;
        detach();
        if (hooks.cancel) return void hooks.cancel(source);
        source.destroy();
      },
    },
    { highWaterMark: HIGH_WATER_MARK },
  ) as ReadableStream<Uint8Array>;
}
