import { InvalidOptionsError } from "./errors.ts";
import { hostOf, matchesAddress, matchesName, noProxyEntries } from "./no-proxy.ts";

/**
 * A per-host proxy rule for `proxy: { from: "env", rules }`: hosts matched by the same patterns as
 * `NO_PROXY` (`example.com`, `.corp.example`, `10.0.0.0/8`, `fd00::/8`), each optionally with a
 * port (`registry.corp:5000`, `[fd00::1]:443`), which `NO_PROXY` itself cannot express.
 */
export interface ProxyRule {
  /** Comma- or blank-separated host patterns, as in `NO_PROXY`, each with an optional `:port`. */
  readonly hosts: string;
  /** The proxy for these hosts (userinfo becomes `Proxy-Authorization`), or `false` to connect directly. */
  readonly proxy: string | URL | false;
}

interface Pattern {
  readonly host: string;
  /** 0 when the pattern has no port. */
  readonly port: number;
}

/** A compiled rule (core-internal). */
export interface CompiledRule {
  readonly patterns: readonly Pattern[];
  readonly proxy: string | false;
}

function parsePattern(entry: string): Pattern {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1] ?? "", port: Number(bracketed[2] ?? 0) };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  if (withPort) return { host: withPort[1] ?? "", port: Number(withPort[2]) };
  return { host: entry, port: 0 };
}

/** Validates and compiles `rules` (throws InvalidOptionsError synchronously). */
export function compileRules(rules: readonly ProxyRule[] | undefined): readonly CompiledRule[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules))
    throw new InvalidOptionsError("proxy.rules must be an array of { hosts, proxy }");
  return rules.map((rule, index) => {
    if (typeof rule?.hosts !== "string" || noProxyEntries(rule.hosts).length === 0) {
      throw new InvalidOptionsError(`proxy.rules[${index}].hosts must name at least one host pattern`);
    }
    const proxy = rule.proxy;
    if (proxy !== false && typeof proxy !== "string" && !(proxy instanceof URL)) {
      throw new InvalidOptionsError(`proxy.rules[${index}].proxy must be a proxy URL or false`);
    }
    return {
      patterns: noProxyEntries(rule.hosts).map(parsePattern),
      proxy: proxy === false ? false : String(proxy),
    };
  });
}

const DEFAULT_PORT: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 };

/**
 * The first rule matching `url`: its proxy URL, `false` for direct, or `undefined` when no rule
 * matches (the environment decides).
 */
export function ruleFor(url: URL, rules: readonly CompiledRule[]): string | false | undefined {
  if (rules.length === 0) return undefined;
  const host = hostOf(url);
  if (host === undefined) return undefined;
  const port = url.port === "" ? (DEFAULT_PORT[url.protocol] ?? 0) : Number(url.port);
  for (const rule of rules) {
    for (const pattern of rule.patterns) {
      if (pattern.port !== 0 && pattern.port !== port) continue;
      if (pattern.host === "*") return rule.proxy;
      const hit =
        host.kind === "name" ? matchesName(host.name, pattern.host) : matchesAddress(host, pattern.host);
      if (hit) return rule.proxy;
    }
  }
  return undefined;
}
