import type { Dispatcher } from "undici";

const controller = {
  abort(): void {},
  pause(): void {},
  resume(): void {},
  paused: false,
  aborted: false,
  reason: null,
  rawHeaders: undefined,
};
const CHUNK = Buffer.from("ok");

/**
 * A dispatcher that answers every request with the same 2-byte response (no socket, no parser), at
 * undici's `dispatch` level, in a microtask (undici never answers inside `dispatch()`, and core's
 * transport counts on it: reactions filed with `afterAnswer` while a send is in flight run in its
 * callback). What it leaves to measure is the JavaScript of core and the plugins.
 */
export const fakeDispatcher = {
  dispatch: (_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean => {
    const h = handler as Required<Dispatcher.DispatchHandler>;
    queueMicrotask(() => {
      h.onRequestStart(controller as never, {});
      // A fresh record per call, as undici's parser makes one.
      h.onResponseStart(controller as never, 200, { "content-length": "2" }, "OK");
      h.onResponseData(controller as never, CHUNK);
      h.onResponseEnd(controller as never, {});
    });
    return true;
  },
  close: () => Promise.resolve(),
  destroy: () => Promise.resolve(),
} as unknown as Dispatcher;
