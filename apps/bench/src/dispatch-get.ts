import type { Dispatcher } from "undici";

/**
 * Calls that each make one GET through undici's `Dispatcher#dispatch` with a handler that takes the body chunk by chunk
 * and lets it go: the floor under every client built on undici (no promise API, no stream object),
 * measured beside bare `undici.request` so the room above `request` is visible.
 */
export function dispatchGetter(dispatcher: Dispatcher, url: string): () => Promise<void> {
  const { origin, pathname, search } = new URL(url);
  const options = { origin, path: pathname + search, method: "GET" } as const;
  return () =>
    new Promise<void>((resolve, reject) => {
      dispatcher.dispatch(options, {
        onRequestStart() {},
        onResponseStart() {},
        // Each chunk arrives here and is let go: nothing is kept or copied.
        onResponseData() {},
        onResponseEnd() {
          resolve();
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      });
    });
}
