import { shouldProxy } from "./no-proxy.ts";

/** Environment variables as `process.env` holds them. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

// curl reads a variable in lowercase first; an unset or empty one falls through to the next.
function read(env: ProxyEnv, name: string, upper: boolean): string | undefined {
  const lower = env[name];
  if (lower !== undefined && lower !== "") return lower;
  if (!upper) return undefined;
  const value = env[name.toUpperCase()];
  return value === undefined || value === "" ? undefined : value;
}

/** The `NO_PROXY` value curl would use: `no_proxy`, else `NO_PROXY`. */
export function noProxyFrom(env: ProxyEnv): string | undefined {
  return read(env, "no_proxy", true);
}

/**
 * The proxy variable curl would use for a scheme: `http_proxy` for `http:` (never the uppercase
 * `HTTP_PROXY`: under CGI it is set from the request's `Proxy:` header, the "httpoxy" hole),
 * `https_proxy` or `HTTPS_PROXY` for `https:`, then `all_proxy` or `ALL_PROXY` for either.
 */
export function proxyVariable(protocol: string, env: ProxyEnv): string | undefined {
  const scheme = protocol.endsWith(":") ? protocol.slice(0, -1) : protocol;
  return (
    read(env, `${scheme.toLowerCase()}_proxy`, scheme.toLowerCase() !== "http") ??
    read(env, "all_proxy", true)
  );
}

/** A proxy value without a scheme (`proxy.corp:3128`) means `http://`, as in curl. */
export function normalizeProxyUrl(value: string): string {
  const trimmed = value.trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/**
 * The proxy URL curl would use for `url` given environment variables, or `undefined` to connect
 * directly: the scheme's variable (see {@link proxyVariable}), unless `NO_PROXY` (see
 * {@link shouldProxy}) exempts the host. The URL may carry userinfo; it is returned as written,
 * with `http://` added when the value has no scheme.
 *
 * @example
 * proxyFor("https://example.com/", { https_proxy: "http://proxy:3128", no_proxy: "localhost" })
 * // "http://proxy:3128"
 */
export function proxyFor(url: URL | string, env: ProxyEnv): string | undefined {
  let target: URL;
  try {
    target = typeof url === "string" ? new URL(url) : url;
  } catch {
    return undefined;
  }
  const protocol = target.protocol;
  if (protocol !== "http:" && protocol !== "https:") return undefined;
  const proxy = proxyVariable(protocol, env);
  if (proxy === undefined) return undefined;
  return shouldProxy(target, noProxyFrom(env)) ? normalizeProxyUrl(proxy) : undefined;
}
