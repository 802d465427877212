import { Readable } from "node:stream";
import { SocketError } from "@switchyard/core";

/**
 * Opens the rest of the body from byte `offset` after `cause` broke the current source; rejects
 * (with the error the consumer should see) when the download cannot be resumed.
 */
export type Reopen = (offset: number, cause: unknown) => Promise<Readable>;

/**
 * A response body that survives interruptions: when its source fails mid-way, it asks `reopen`
 * for the rest and carries on from the same byte, so the consumer sees one unbroken stream. Flow
 * control follows the consumer (the source is paused while the consumer's buffer is full), and
 * destroying this stream destroys the current source.
 */
export class ResumingBody extends Readable {
  readonly #reopen: Reopen;
  readonly #length: number | undefined;
  #source: Readable;
  #detach: () => void = () => {};
  #offset = 0;
  #reopening = false;

  constructor(source: Readable, reopen: Reopen, length: number | undefined) {
    super();
    this.#reopen = reopen;
    this.#length = length;
    this.#source = source;
    this.#attach(source);
  }

  /** Bytes delivered so far. */
  get offset(): number {
    return this.#offset;
  }

  override _read(): void {
    if (!this.#reopening) this.#source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#detach();
    this.#source.destroy();
    callback(error);
  }

  #attach(source: Readable): void {
    let settled = false;
    const onData = (chunk: Buffer | Uint8Array): void => {
      this.#offset += chunk.length;
      if (!this.push(chunk)) source.pause();
    };
    const onEnd = (): void => {
      settled = true;
      this.#detach();
      this.push(null);
    };
    const onError = (error: unknown): void => {
      if (settled) return;
      settled = true;
      this.#broken(error);
    };
    // A source that closes without 'end' or 'error' stopped early all the same.
    const onClose = (): void => {
      if (!settled) onError(new SocketError("truncated", "the response body closed before its end"));
    };
    source.on("data", onData);
    source.on("end", onEnd);
    source.on("error", onError);
    source.on("close", onClose);
    this.#detach = () => {
      source.off("data", onData);
      source.off("end", onEnd);
      source.off("error", onError);
      source.off("close", onClose);
      // undici bodies throw an unhandled error if destroyed with no 'error' listener left.
      source.on("error", () => {});
    };
  }

  #broken(cause: unknown): void {
    this.#detach();
    this.#source.destroy();
    if (this.destroyed) return;
    if (this.#length !== undefined && this.#offset === this.#length) {
      // Every byte arrived; only the connection's end was lost.
      this.push(null);
      return;
    }
    this.#reopening = true;
    this.#reopen(this.#offset, cause).then(
      (source) => {
        this.#reopening = false;
        if (this.destroyed) {
          source.destroy();
          return;
        }
        this.#source = source;
        this.#attach(source);
      },
      (error: unknown) => {
        this.#reopening = false;
        this.destroy(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }
}
