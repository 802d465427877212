import { Readable } from "node:stream";
import type { Dispatcher } from "undici";

/** A body that is already over: what undici's dump() sees for a 2-byte answer read to the end. */
class DoneBody extends Readable {
  override _read(): void {}
  dump(): Promise<void> {
    return Promise.resolve();
  }
  text(): Promise<string> {
    return Promise.resolve("ok");
  }
}

// Ended, as undici's body is once the response completed (core's pool stops tracking it then).
const doneBody = new DoneBody();
doneBody.push(null);

const answer = {
  statusCode: 200,
  headers: { "content-length": "2" },
  body: doneBody,
  trailers: {},
  opaque: null,
  context: {},
};

/**
 * A dispatcher that answers every request at once with the same 2-byte response (no socket, no
 * parser), in both of undici's forms: the callback is called in a microtask (undici never calls back
 * synchronously, and core's transport counts on it: reactions filed with `afterAnswer` while a send
 * is in flight run in that callback), the promise resolves at once. What it leaves to measure is the
 * JavaScript of core and the plugins.
 */
export const fakeDispatcher = {
  request: (_options: unknown, callback?: (error: null, data: typeof answer) => void) => {
    if (callback === undefined) return Promise.resolve(answer);
    queueMicrotask(() => callback(null, answer));
  },
  close: () => Promise.resolve(),
  destroy: () => Promise.resolve(),
} as unknown as Dispatcher;
