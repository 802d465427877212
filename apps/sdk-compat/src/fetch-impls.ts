import { type Client, createClient, type Middleware } from "@switchyard/core";
import { retry } from "@switchyard/retry";

/** Which `fetch` an SDK gets: Node's global one (the reference) or a Switchyard client's. */
export type ImplName = "node" | "client" | "client+retry" | "client+retry-all";

/** A `fetch` to hand to an SDK, and how to release what it holds. */
export interface FetchImpl {
  readonly name: ImplName;
  readonly fetch: typeof globalThis.fetch;
  close(): Promise<void>;
}

/**
 * The retry plugin as these tests use it: two retries, no real waiting (the sleep seam returns at
 * once). `sdkRetries: "retry"` also retries requests an SDK marks as retried by itself.
 */
export function quickRetry(maxRetries = 2, sdkRetries: "defer" | "retry" = "defer"): Middleware {
  return retry({ maxRetries, sdkRetries, sleep: async () => {} });
}

/** Node's global fetch, captured when called (a test may swap the global). */
export function nodeFetch(): FetchImpl {
  const fetch = globalThis.fetch;
  return { name: "node", fetch, close: async () => {} };
}

/**
 * A Switchyard client's `client.fetch`, with the retry plugin for `client+retry` (deferring to an
 * SDK's own retries, its default) and `client+retry-all` (retrying SDK-marked requests too).
 */
export function clientFetch(name: Exclude<ImplName, "node"> = "client", retries = 2): FetchImpl {
  const middleware =
    name === "client+retry"
      ? [quickRetry(retries)]
      : name === "client+retry-all"
        ? [quickRetry(retries, "retry")]
        : [];
  const client: Client = createClient({ middleware });
  return { name, fetch: client.fetch, close: () => client.close() };
}

/** Builds the named implementation. */
export function makeFetch(name: ImplName, retries = 2): FetchImpl {
  return name === "node" ? nodeFetch() : clientFetch(name, retries);
}
