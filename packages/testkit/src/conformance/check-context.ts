import type { Client, Middleware } from "@switchyard/core";
import { createClient } from "@switchyard/core";
import { ConformanceError } from "./conformance-error.ts";
import type { MiddlewareFactory, ResolvedConformanceOptions } from "./conformance-options.ts";
import type { ConformanceRoute, ConformanceServer } from "./conformance-server.ts";

/** Where a check's own test middleware go around the middleware under test. */
export interface ClientLayout {
  /** Middleware outside the one under test (first in the chain). */
  readonly outer?: readonly Middleware[];
  /** Middleware inside it (between it and the transport). */
  readonly inner?: readonly Middleware[];
  /** `"as-given"` (the default) keeps outer, under test, inner; `"stage"` lets core order them. */
  readonly order?: "as-given" | "stage";
}

/** What a check runs with: the server, the options, and helpers that build clients and URLs. */
export class CheckContext {
  readonly id: string;
  readonly options: ResolvedConformanceOptions;
  readonly server: ConformanceServer;
  readonly factory: MiddlewareFactory | null;
  readonly #clients = new Set<Client>();

  constructor(
    id: string,
    options: ResolvedConformanceOptions,
    server: ConformanceServer,
    factory: MiddlewareFactory | null,
  ) {
    this.id = id;
    this.options = options;
    this.server = server;
    this.factory = factory;
  }

  /** The URL to request for `route`, after the options' `transformUrl`. */
  url(
    route: ConformanceRoute,
    extra: { query?: Record<string, string>; username?: string; password?: string } = {},
  ): string {
    const url = new URL(this.server.url(route, extra.query));
    if (extra.username !== undefined) url.username = extra.username;
    if (extra.password !== undefined) url.password = extra.password;
    return this.options.transformUrl(url.href);
  }

  /** A fresh middleware under test, as a list (empty for the core-alone baseline). */
  underTest(): Middleware[] {
    if (this.factory === null) return [];
    return [this.factory()];
  }

  /** A client over outer, a fresh middleware under test, and inner; destroyed after the check. */
  client(layout: ClientLayout = {}): Client {
    const middleware = [...(layout.outer ?? []), ...this.underTest(), ...(layout.inner ?? [])];
    const client = createClient({ ...this.options.client, middleware, order: layout.order ?? "as-given" });
    this.#clients.add(client);
    return client;
  }

  /** Marks a client as closed by the check itself. */
  forget(client: Client): void {
    this.#clients.delete(client);
  }

  /** Throws a ConformanceError for this check. */
  fail(message: string, cause?: unknown): never {
    throw new ConformanceError(this.id, message, cause === undefined ? undefined : { cause });
  }

  /** Destroys every client the check left open. */
  async dispose(): Promise<void> {
    const clients = [...this.#clients];
    this.#clients.clear();
    await Promise.allSettled(clients.map((c) => c.destroy()));
  }
}
