import type { LookupFunction } from "node:net";
import type { Dispatcher } from "undici";
import { Agent, ProxyAgent } from "undici";
import type { DnsCacheOptions } from "./dns-options.ts";
import { withDnsCache } from "./dns-options.ts";
import type { EnvProxyOptions } from "./env-proxy-options.ts";
import { buildEnvProxyDispatcher, isEnvProxy } from "./env-proxy-options.ts";
import { InvalidOptionsError } from "./errors.ts";
import { redactUrl, redactUrlError } from "./redact.ts";

/** TLS settings for the connections the client opens. */
export interface TlsOptions {
  /** Extra trusted CA certificates (PEM). They replace Node's default list for these connections. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate for mTLS (PEM). */
  readonly cert?: string | Buffer;
  /** Client private key for mTLS (PEM). */
  readonly key?: string | Buffer;
  readonly passphrase?: string;
  /** Verify the server's certificate. Turning it off is for tests only. @default true */
  readonly rejectUnauthorized?: boolean;
  /** SNI server name, when it differs from the URL's host. */
  readonly servername?: string;
}

/** A forward proxy: its URL (userinfo becomes `Proxy-Authorization: Basic`), or more settings. */
export type ProxyOptions =
  | string
  | URL
  | {
      readonly url: string | URL;
      /** `Proxy-Authorization` value, e.g. `Bearer ...`; wins over userinfo in `url`. */
      readonly authorization?: string;
      /** TLS settings for the connection to the proxy itself. */
      readonly tls?: TlsOptions;
      /** Send plain-http requests through a CONNECT tunnel too, not as absolute-form requests. @default false (undici's default) */
      readonly tunnel?: boolean;
    };

/** How the client's own undici pool is built (ignored when `dispatcher` is given). */
export interface TransportOptions {
  /** Any undici Dispatcher (Agent, Pool, one with interceptors...). Core never closes it. */
  readonly dispatcher?: Dispatcher;
  /** Most connections per origin. @default unlimited (undici's default) */
  readonly connections?: number;
  /** Milliseconds an idle keep-alive socket is kept. @default 4000 (undici's default) */
  readonly keepAliveTimeout?: number;
  /** Milliseconds to establish a connection (TCP + TLS). @default 10000 */
  readonly connectTimeout?: number;
  /** Milliseconds to wait for response headers. @default 300000 (undici's default) */
  readonly headersTimeout?: number;
  /** Milliseconds a response body may stay idle. @default 300000 (undici's default) */
  readonly bodyTimeout?: number;
  readonly tls?: TlsOptions;
  /** Local interface address to connect from. */
  readonly localAddress?: string;
  /** Negotiate HTTP/2 over TLS (ALPN) when the server offers it. @default false */
  readonly allowH2?: boolean;
  /**
   * Resolves host names for the connections the client opens (`dns.lookup`'s signature, called
   * with `all: true` when several addresses may be tried). The connection goes only to addresses it
   * returns, so a guard placed here sees the address actually connected to (see
   * `@switchyard/ssrf`). Not used for IP-literal hosts, nor for the target of a proxied request
   * (the proxy resolves it). @default dns.lookup
   */
  readonly lookup?: LookupFunction;
  /**
   * Happy Eyeballs (RFC 8305): when a name has IPv6 and IPv4 addresses, try them in turn with a
   * short head start each instead of waiting for the first to time out (`net.connect`'s
   * `autoSelectFamily`). `false` tries only the first address.
   * @default true
   */
  readonly autoSelectFamily?: boolean;
  /**
   * Cache resolved addresses in front of the pool (undici's `dns` interceptor), using `lookup` when
   * given. Not with `proxy` (the proxy resolves names) nor a `dispatcher` of your own.
   * @default false
   */
  readonly dnsCache?: boolean | DnsCacheOptions;
  /**
   * A forward proxy for every request, or `"env"` (or {@link EnvProxyOptions}) to choose one per
   * request from `HTTPS_PROXY`/`http_proxy`/`ALL_PROXY`/`NO_PROXY` by curl's rules. The environment
   * is read only when asked, once, when the client is built. @default no proxy
   */
  readonly proxy?: ProxyOptions | "env" | EnvProxyOptions;
}

function checkMs(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionsError(`${name} must be a number of milliseconds >= 0, got ${String(value)}`);
  }
  return value;
}

function connectOptions(
  tls: TlsOptions | undefined,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...extra, rejectUnauthorized: tls?.rejectUnauthorized ?? true };
  if (tls?.ca !== undefined) out.ca = tls.ca;
  if (tls?.cert !== undefined) out.cert = tls.cert;
  if (tls?.key !== undefined) out.key = tls.key;
  if (tls?.passphrase !== undefined) out.passphrase = tls.passphrase;
  if (tls?.servername !== undefined) out.servername = tls.servername;
  return out;
}

function checkFlag(name: string, value: boolean | undefined): boolean | undefined {
  if (value !== undefined && typeof value !== "boolean") {
    throw new InvalidOptionsError(`${name} must be true or false, got ${String(value)}`);
  }
  return value;
}

function checkLookup(lookup: LookupFunction): LookupFunction {
  if (typeof lookup !== "function") {
    throw new InvalidOptionsError("lookup must be a function with the signature of dns.lookup");
  }
  return lookup;
}

/** Builds the undici dispatcher described by `options`; `owned` tells whether core must close it. */
export function buildDispatcher(options: TransportOptions): { dispatcher: Dispatcher; owned: boolean } {
  if (options.dispatcher !== undefined) {
    if (typeof options.dispatcher?.dispatch !== "function") {
      throw new InvalidOptionsError("dispatcher must be an undici Dispatcher (Agent, Pool, Client...)");
    }
    return { dispatcher: options.dispatcher, owned: false };
  }
  const connections = options.connections;
  if (connections !== undefined && (!Number.isInteger(connections) || connections < 1)) {
    throw new InvalidOptionsError(`connections must be an integer >= 1, got ${String(connections)}`);
  }
  const connectTimeout = checkMs("connectTimeout", options.connectTimeout) ?? 10_000;
  const common: Record<string, unknown> = {};
  if (connections !== undefined) common.connections = connections;
  const keepAliveTimeout = checkMs("keepAliveTimeout", options.keepAliveTimeout);
  if (keepAliveTimeout !== undefined) common.keepAliveTimeout = keepAliveTimeout;
  const headersTimeout = checkMs("headersTimeout", options.headersTimeout);
  if (headersTimeout !== undefined) common.headersTimeout = headersTimeout;
  const bodyTimeout = checkMs("bodyTimeout", options.bodyTimeout);
  if (bodyTimeout !== undefined) common.bodyTimeout = bodyTimeout;
  if (options.allowH2 !== undefined) common.allowH2 = options.allowH2;
  const connect = connectOptions(options.tls, {
    timeout: connectTimeout,
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    ...(options.lookup === undefined ? {} : { lookup: checkLookup(options.lookup) }),
    autoSelectFamily: checkFlag("autoSelectFamily", options.autoSelectFamily) ?? true,
  });
  if (options.proxy === undefined) {
    const agent = new Agent({ ...common, connect });
    return { dispatcher: withDnsCache(agent, options.dnsCache, options.lookup), owned: true };
  }
  if (options.dnsCache !== undefined && options.dnsCache !== false) {
    throw new InvalidOptionsError("dnsCache cannot be combined with proxy: the proxy resolves the names");
  }
  if (isEnvProxy(options.proxy)) {
    const spec = options.proxy;
    const viaProxy = (url: string): Dispatcher =>
      buildProxyAgent(
        {
          url,
          ...(typeof spec === "object" && spec.tls !== undefined ? { tls: spec.tls } : {}),
          ...(typeof spec === "object" && spec.tunnel !== undefined ? { tunnel: spec.tunnel } : {}),
        },
        common,
        connect,
        options.tls,
      );
    const direct = new Agent({ ...common, connect });
    return { dispatcher: buildEnvProxyDispatcher(spec, direct, viaProxy), owned: true };
  }
  return { dispatcher: buildProxyAgent(options.proxy, common, connect, options.tls), owned: true };
}

function buildProxyAgent(
  proxy: ProxyOptions,
  common: Record<string, unknown>,
  connect: Record<string, unknown>,
  tls: TlsOptions | undefined,
): Dispatcher {
  const spec = typeof proxy === "string" || proxy instanceof URL ? { url: proxy } : proxy;
  let url: URL;
  try {
    url = new URL(String(spec.url));
  } catch (cause) {
    throw new InvalidOptionsError(`proxy must be a URL, got ${JSON.stringify(redactUrl(String(spec.url)))}`, {
      cause: redactUrlError(cause),
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidOptionsError(`proxy URL must be http: or https:, got ${url.protocol}`);
  }
  let token = "authorization" in spec ? spec.authorization : undefined;
  if (token === undefined && (url.username || url.password)) {
    const userinfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    token = `Basic ${Buffer.from(userinfo).toString("base64")}`;
  }
  url.username = "";
  url.password = "";
  return new ProxyAgent({
    ...common,
    uri: url.href,
    ...(token === undefined ? {} : { token }),
    requestTls: connectOptions(tls, { timeout: connect.timeout }),
    proxyTls: connectOptions("tls" in spec ? spec.tls : undefined, { timeout: connect.timeout }),
    ...("tunnel" in spec && spec.tunnel !== undefined ? { proxyTunnel: spec.tunnel } : {}),
  } as ConstructorParameters<typeof ProxyAgent>[0]);
}
