import diagnosticsChannel from "node:diagnostics_channel";
import { Dispatcher } from "undici";
import type { ProxyEnv } from "./env-proxy.ts";
import { normalizeProxyUrl, proxyFor } from "./env-proxy.ts";
import type { CompiledRule } from "./proxy-rules.ts";
import { ruleFor } from "./proxy-rules.ts";
import { redactUrl } from "./redact.ts";

/**
 * `switchyard:core:proxy` `{ origin, proxy }`: the route chosen for an origin the first time it is
 * seen (`proxy` is the redacted proxy URL, or `undefined` for a direct connection).
 */
export const proxyRouteChannel: diagnosticsChannel.Channel =
  diagnosticsChannel.channel("switchyard:core:proxy");

/** How {@link EnvProxyDispatcher} builds the dispatchers it routes to (core-internal). */
export interface EnvProxyParts {
  readonly env: ProxyEnv;
  readonly rules: readonly CompiledRule[];
  /** The dispatcher for direct connections. */
  readonly direct: Dispatcher;
  /** Builds (once per distinct proxy URL) the dispatcher that goes through `proxyUrl`. */
  readonly viaProxy: (proxyUrl: string) => Dispatcher;
}

// Decisions are per origin; a client talks to few origins, but the map must stay bounded.
const MAX_ORIGINS = 1024;

/**
 * An undici Dispatcher that sends each request directly or through the proxy that the rules, then
 * the environment (curl's variables and NO_PROXY rules), choose for its origin. The environment
 * is read once, when it is built: later changes to `process.env` do not apply.
 */
export class EnvProxyDispatcher extends Dispatcher {
  readonly #parts: EnvProxyParts;
  readonly #byOrigin = new Map<string, Dispatcher>();
  readonly #byProxy = new Map<string, Dispatcher>();

  constructor(parts: EnvProxyParts) {
    super();
    this.#parts = parts;
  }

  /** The proxy URL (as configured, userinfo included) that `url` goes through, or `undefined` for direct. */
  proxyUrlFor(url: URL): string | undefined {
    const rule = ruleFor(url, this.#parts.rules);
    if (rule === false) return undefined;
    if (rule !== undefined) return normalizeProxyUrl(rule);
    return proxyFor(url, this.#parts.env);
  }

  #route(origin: string): Dispatcher {
    const known = this.#byOrigin.get(origin);
    if (known !== undefined) return known;
    const proxyUrl = this.proxyUrlFor(new URL(origin));
    let dispatcher = this.#parts.direct;
    if (proxyUrl !== undefined) {
      dispatcher = this.#byProxy.get(proxyUrl) ?? this.#parts.viaProxy(proxyUrl);
      this.#byProxy.set(proxyUrl, dispatcher);
    }
    if (proxyRouteChannel.hasSubscribers) {
      proxyRouteChannel.publish({ origin, proxy: proxyUrl === undefined ? undefined : redactUrl(proxyUrl) });
    }
    if (this.#byOrigin.size >= MAX_ORIGINS) this.#byOrigin.clear();
    this.#byOrigin.set(origin, dispatcher);
    return dispatcher;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.#route(String(options.origin)).dispatch(options, handler);
  }

  #all(): Dispatcher[] {
    return [this.#parts.direct, ...this.#byProxy.values()];
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all(this.#all().map((d) => d.close())).then(() => undefined);
    if (callback === undefined) return done;
    done.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(
    errorOrCallback?: Error | null | (() => void),
    maybeCallback?: () => void,
  ): Promise<void> | void {
    const error = typeof errorOrCallback === "function" ? null : (errorOrCallback ?? null);
    const callback = typeof errorOrCallback === "function" ? errorOrCallback : maybeCallback;
    const done = Promise.all(this.#all().map((d) => d.destroy(error))).then(() => undefined);
    if (callback === undefined) return done;
    done.then(callback, callback);
  }
}
