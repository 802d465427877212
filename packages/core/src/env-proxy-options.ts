import type { Dispatcher } from "undici";
import type { ProxyEnv } from "./env-proxy.ts";
import { normalizeProxyUrl, proxyVariable } from "./env-proxy.ts";
import { EnvProxyDispatcher } from "./env-proxy-dispatcher.ts";
import { InvalidOptionsError, SwitchyardError } from "./errors.ts";
import type { ProxyRule } from "./proxy-rules.ts";
import { compileRules } from "./proxy-rules.ts";
import type { TlsOptions } from "./transport-options.ts";

/**
 * `proxy: { from: "env", ... }`: a proxy per request, chosen as curl chooses it (see the README's
 * "Proxies from the environment"), with per-host rules that win over the environment.
 */
export interface EnvProxyOptions {
  readonly from: "env";
  /**
   * The variables to read (`https_proxy`, `HTTPS_PROXY`, `http_proxy`, `all_proxy`, `ALL_PROXY`,
   * `no_proxy`, `NO_PROXY`). Read once, when the client is built.
   * @default process.env
   */
  readonly env?: ProxyEnv;
  /** Per-host rules checked before the environment; the first matching rule wins. @default [] */
  readonly rules?: readonly ProxyRule[];
  /** Tunnel plain-http requests too (CONNECT), instead of absolute-form requests as curl sends. @default false */
  readonly tunnel?: boolean;
  /** TLS settings for connections to an `https:` proxy itself. */
  readonly tls?: TlsOptions;
}

const PROXY_VARIABLES = [
  "http_proxy",
  "https_proxy",
  "HTTPS_PROXY",
  "all_proxy",
  "ALL_PROXY",
  "no_proxy",
  "NO_PROXY",
] as const;

/** Whether a `proxy` option asks for the environment (core-internal). */
export function isEnvProxy(proxy: unknown): proxy is "env" | EnvProxyOptions {
  return (
    proxy === "env" ||
    (typeof proxy === "object" && proxy !== null && (proxy as { from?: unknown }).from === "env")
  );
}

/**
 * Builds the routing dispatcher for `proxy: "env"` (core-internal). Every proxy URL the
 * environment or the rules name is validated (and its ProxyAgent built) here, so a bad value fails
 * `createClient` synchronously, naming the variable, never a request later.
 */
export function buildEnvProxyDispatcher(
  spec: "env" | EnvProxyOptions,
  direct: Dispatcher,
  viaProxy: (proxyUrl: string) => Dispatcher,
): Dispatcher {
  const options: EnvProxyOptions = spec === "env" ? { from: "env" } : spec;
  const source = options.env ?? process.env;
  if (typeof source !== "object" || source === null) {
    throw new InvalidOptionsError("proxy.env must be an object of variables");
  }
  // A snapshot: later changes to process.env do not reroute a built client.
  const env: Record<string, string | undefined> = {};
  for (const name of PROXY_VARIABLES) {
    if (typeof source[name] === "string") env[name] = source[name];
  }
  const rules = compileRules(options.rules);
  const built = new Map<string, Dispatcher>();
  const prepare = (value: string, where: string): void => {
    const url = normalizeProxyUrl(value);
    if (built.has(url)) return;
    try {
      built.set(url, viaProxy(url));
    } catch (error) {
      const reason = error instanceof SwitchyardError ? error.message : "it is not a usable proxy URL";
      throw new InvalidOptionsError(`${where}: ${reason}`, { cause: error });
    }
  };
  for (const protocol of ["http:", "https:"]) {
    const value = proxyVariable(protocol, env);
    if (value !== undefined) prepare(value, `the proxy variable for ${protocol} URLs`);
  }
  rules.forEach((rule, index) => {
    if (rule.proxy !== false) prepare(rule.proxy, `proxy.rules[${index}].proxy`);
  });
  return new EnvProxyDispatcher({
    env,
    rules,
    direct,
    viaProxy: (url) => {
      const known = built.get(url);
      if (known === undefined) throw new InvalidOptionsError("proxy URL was not validated at build time");
      return known;
    },
  });
}
