import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import type { Context, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import { InvalidOptionsError, pluginChannel, redactUrl } from "@switchyard/core";
import { AddressPolicy, parseCidr, type Refusal } from "./address-policy.ts";
import { guardedLookup, type Resolver } from "./guarded-lookup.ts";
import { SsrfError } from "./ssrf-error.ts";

/** Options of {@link ssrf}. */
export interface SsrfOptions {
  /**
   * Addresses or CIDR ranges always allowed, over every other rule (`"127.0.0.1"`, `"10.20.0.0/16"`,
   * `"fd12::/16"`): an internal service the client is meant to reach.
   * @default []
   */
  readonly allow?: readonly string[];
  /** More addresses or CIDR ranges to refuse, on top of every non-public range. @default [] */
  readonly deny?: readonly string[];
  /**
   * How names are resolved (`dns.lookup`'s shape, called with `all: true`); a seam for tests and
   * for custom DNS.
   * @default dns.lookup
   */
  readonly resolve?: Resolver;
}

/** The guard: a middleware for IP-literal URLs on every hop, and the `lookup` for core's transport. */
export interface SsrfGuard extends Middleware {
  /** Pass as `createClient({ lookup })`: checks the addresses a host name resolves to, at connect time. */
  readonly lookup: LookupFunction;
}

const blockedChannel = pluginChannel("ssrf", "blocked");
// A host name: checked where it is resolved (`lookup`). An IP literal the policy allows.
const NAME: unique symbol = Symbol("name");
const ALLOWED: unique symbol = Symbol("allowed");
const MAX_VERDICTS = 1024;

function compile(list: readonly string[] | undefined, name: string): ReturnType<typeof parseCidr>[] {
  if (list === undefined) return [];
  if (!Array.isArray(list))
    throw new InvalidOptionsError(`ssrf ${name} must be an array of addresses or CIDR ranges`);
  return list.map((entry, index) => {
    try {
      return parseCidr(String(entry));
    } catch (cause) {
      throw new InvalidOptionsError(`ssrf ${name}[${index}]: ${(cause as Error).message}`, { cause });
    }
  });
}

function publish(refusal: SsrfError, context?: Context): void {
  if (blockedChannel.hasSubscribers) {
    blockedChannel.publish({
      method: refusal.method,
      url: refusal.url,
      address: refusal.address,
      range: refusal.range,
      hostname: refusal.hostname,
      context,
    });
  }
}

/**
 * An SSRF guard. It refuses connections to loopback, private, link-local, unique-local, CGNAT,
 * multicast, unspecified, broadcast and reserved addresses (cloud metadata services live in
 * these), and IPv6 forms that embed such an IPv4 address, unless `allow` lists them:
 *
 * - a URL whose host is an IP literal is checked by the middleware (`send` stage: every redirect
 *   hop and every mirror tried passes through it again). URLs are parsed the WHATWG way first, so
 *   `0x7f.1`, `2130706433`, `0177.0.0.1` and `127.1` are 127.0.0.1 when checked;
 * - a host name is checked where it is resolved, by `lookup`, which must be given to the client:
 *   the connection goes only to an address that passed, so DNS rebinding gains nothing.
 *
 * @example
 * const guard = ssrf({ allow: ["10.20.0.0/16"] });
 * const client = createClient({ middleware: [guard], lookup: guard.lookup });
 * await client.request("http://169.254.169.254/latest/meta-data/"); // SsrfError
 */
export function ssrf(options: SsrfOptions = {}): SsrfGuard {
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionsError("ssrf options must be an object");
  const policy = new AddressPolicy(compile(options.allow, "allow"), compile(options.deny, "deny"));
  if (options.resolve !== undefined && typeof options.resolve !== "function") {
    throw new InvalidOptionsError("ssrf resolve must be a function with dns.lookup's signature");
  }
  const resolve: Resolver = options.resolve ?? (dnsLookup as unknown as Resolver);
  const lookup = guardedLookup(policy, resolve, (_hostname, _kept: readonly LookupAddress[], refused) => {
    for (const refusal of refused) publish(refusal);
  });

  // What the middleware decided for each URL host it saw: the policy never changes, and parsing an
  // IP literal (ipaddr.js) cost more per call than a whole pass through the chain. Bounded.
  const verdicts = new Map<string, Refusal | typeof NAME | typeof ALLOWED>();
  const judge = (host: string): Refusal | typeof NAME | typeof ALLOWED => {
    const bare = host.charCodeAt(0) === 91 /* [ */ ? host.slice(1, -1) : host;
    if (isIP(bare) === 0) return NAME;
    return policy.check(bare) ?? ALLOWED;
  };

  // A refusal at connect time knows the name, not the call: say which call it was.
  function explain(error: unknown, request: HttpRequest, context: Context): never {
    if (error instanceof SsrfError && error.url === undefined) {
      const named = new SsrfError({
        address: error.address,
        range: error.range,
        ...(error.hostname === undefined ? {} : { hostname: error.hostname }),
        method: request.method,
        url: redactUrl(request.url),
        context,
        cause: error,
      });
      throw named;
    }
    throw error;
  }

  return {
    name: "ssrf",
    stage: "send",
    lookup,
    handle(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
      const host = request.urlParts.hostname;
      let verdict = verdicts.get(host);
      if (verdict === undefined) {
        verdict = judge(host);
        if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
        verdicts.set(host, verdict);
      }
      if (verdict === NAME) return next(request).catch((error: unknown) => explain(error, request, context));
      if (verdict === ALLOWED) return next(request);
      const refusal = verdict;
      const error = new SsrfError({
        ...refusal,
        method: request.method,
        url: redactUrl(request.url),
        context,
      });
      publish(error, context);
      return Promise.reject(error);
    },
  };
}
