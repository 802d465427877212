import { fakeDispatcherWith } from "./fake-answers.ts";

/**
 * A dispatcher that answers every request with the same 2-byte response (no socket, no parser), at
 * undici's `dispatch` level, in a microtask (undici never answers inside `dispatch()`, and core's
 * transport counts on it: reactions filed with `afterAnswer` while a send is in flight run in its
 * callback). What it leaves to measure is the JavaScript of core and the plugins.
 */
export const fakeDispatcher = fakeDispatcherWith({ "content-length": "2" });
