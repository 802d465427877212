import { Dispatcher } from "undici";

/** Headers the fake origins answer with: what the cache's no-store case sees from a real origin. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "application/octet-stream",
  etag: '"v1"',
  "cache-control": "no-store",
  "content-length": "2",
});

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
 * A dispatcher that answers every request in a microtask with `headers` (a fresh record per call,
 * as undici's parser makes one) and a 2-byte body, through the handler core gave `dispatch()`. No
 * socket, no parser.
 */
export function fakeDispatcherWith(headers: Readonly<Record<string, string>>): Dispatcher {
  return {
    dispatch: (_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean => {
      const h = handler as Required<Dispatcher.DispatchHandler>;
      queueMicrotask(() => {
        h.onRequestStart(controller as never, {});
        h.onResponseStart(controller as never, 200, { ...headers }, "OK");
        h.onResponseData(controller as never, CHUNK);
        h.onResponseEnd(controller as never, {});
      });
      return true;
    },
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  } as unknown as Dispatcher;
}

/**
 * A dispatcher at undici's `dispatch` level: `request()` goes through undici's own request handler
 * (its body stream included), and the handler is answered at once, with no socket. What a
 * dispatcher wrapped around it (core's `proxy: "env"` router) adds is then measurable.
 */
export class FakeDispatchLevel extends Dispatcher {
  readonly #headers: Readonly<Record<string, string>>;

  constructor(headers: Readonly<Record<string, string>>) {
    super();
    this.#headers = headers;
  }

  override dispatch(_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const h = handler as Required<Dispatcher.DispatchHandler>;
    h.onRequestStart(controller as never, {});
    h.onResponseStart(controller as never, 200, { ...this.#headers }, "OK");
    h.onResponseData(controller as never, CHUNK);
    h.onResponseEnd(controller as never, {});
    return true;
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    if (callback === undefined) return Promise.resolve();
    callback();
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(a?: unknown, b?: unknown): Promise<void> | void {
    const callback = typeof a === "function" ? a : b;
    if (typeof callback === "function") {
      (callback as () => void)();
      return;
    }
    return Promise.resolve();
  }
}
