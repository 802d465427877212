import type { HttpRequest, HttpResponse } from "@switchyard/core";
import type { FlowParts } from "./admit.ts";
import { entryKey } from "./cache-key.ts";
import { cacheChannels, publish } from "./events.ts";

/**
 * After an unsafe method succeeded: removes the stored responses for its URL and for a same-origin
 * `Location` / `Content-Location` (RFC 9111 §4.4), here, in the state store and in the store.
 */
export function invalidate(parts: FlowParts, request: HttpRequest, res: HttpResponse): void {
  const keys = [entryKey(request.url)];
  for (const name of ["location", "content-location"]) {
    const value = res.headers.get(name);
    if (value === undefined) continue;
    try {
      const target = new URL(value, request.url);
      // RFC 9111 §4.4: only URLs of the same origin.
      if (target.origin === request.origin) keys.push(entryKey(target.href));
    } catch {
      // not a URL: nothing to invalidate
    }
  }
  for (const key of keys) {
    parts.index.forget(key);
    parts.track(
      parts.o.store.delete(key).then(
        () =>
          publish(cacheChannels.evicted, () => ({
            key,
            reason: "invalidated",
            size: 0,
            store: parts.o.store.name,
          })),
        (error: unknown) =>
          publish(cacheChannels.error, () => ({ operation: "delete", store: parts.o.store.name, error })),
      ),
    );
  }
}
