import { BlockList, isIPv4, isIPv6 } from "node:net";

// curl's NO_PROXY rules (lib/noproxy.c), restated:
// - the whole value `*` (nothing else, no blanks) turns the proxy off for every host;
// - entries are separated by commas and blanks (space, tab); empty entries are skipped;
// - a host name matches an entry equal to it or ending in `.entry`, case-insensitively; a leading
//   dot of the entry and a trailing dot of either are ignored (`.example.com` also matches
//   `example.com`; `*.example.com` matches nothing, a `*` among others is just a name);
// - an IP literal host matches only IP entries, compared as addresses, optionally as a CIDR range
//   (`10.0.0.0/8`, `fd00::/8`); a name never matches an IP entry and vice versa (no DNS);
// - an entry with a port (`example.com:8080`) matches nothing: curl has no port rules.
// Per-host and per-port rules are what `ProxyRule`s are for.

/** What a host is (core-internal). */
export type HostKind = "name" | "ipv4" | "ipv6";

/** A URL's host, classified (core-internal). */
export interface Host {
  readonly kind: HostKind;
  /** Lowercase, without brackets or a trailing dot. */
  readonly name: string;
}

/** The host of a URL as NO_PROXY rules see it (core-internal). */
export function hostOf(url: URL | string): Host | undefined {
  let hostname: string;
  if (typeof url === "string") {
    try {
      hostname = new URL(url).hostname;
    } catch {
      return undefined;
    }
  } else hostname = url.hostname;
  if (hostname === "") return undefined;
  if (hostname.startsWith("[")) return { kind: "ipv6", name: hostname.slice(1, -1).toLowerCase() };
  if (isIPv4(hostname)) return { kind: "ipv4", name: hostname };
  const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  return { kind: "name", name: name.toLowerCase() };
}

/** Whether a host name matches one NO_PROXY name entry (core-internal). */
export function matchesName(host: string, entry: string): boolean {
  let token = entry.endsWith(".") ? entry.slice(0, -1) : entry;
  if (token.startsWith(".")) token = token.slice(1);
  if (token === "") return false;
  token = token.toLowerCase();
  if (token.length === host.length) return token === host;
  return token.length < host.length && host.endsWith(token) && host[host.length - token.length - 1] === ".";
}

// curl's CIDR rules: IPv4 `/0` or no suffix is an exact match; IPv6 `/0` or no suffix means /128.
/** Whether an IP host matches one NO_PROXY address or CIDR entry (core-internal). */
export function matchesAddress(host: Host, entry: string): boolean {
  const slash = entry.indexOf("/");
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const bitsText = slash === -1 ? "" : entry.slice(slash + 1);
  let bits = /^\d+$/.test(bitsText) ? Number(bitsText) : 0;
  const family = host.kind === "ipv4" ? "ipv4" : "ipv6";
  if (family === "ipv4" ? !isIPv4(address) : !isIPv6(address)) return false;
  if (family === "ipv4" && (bits === 0 || bits === 32)) bits = 32;
  if (family === "ipv6" && bits === 0) bits = 128;
  if (bits > (family === "ipv4" ? 32 : 128)) return false;
  const list = new BlockList();
  list.addSubnet(address, bits, family);
  return list.check(host.name, family);
}

/** Splits a NO_PROXY value into its entries (commas and blanks separate them). */
export function noProxyEntries(noProxy: string): string[] {
  return noProxy.split(/[,\t ]+/).filter((entry) => entry !== "");
}

/**
 * Tells whether `url` should go through a proxy given a `NO_PROXY` value, by curl's rules: `*`
 * alone bypasses every host; entries match by domain suffix (a leading dot is ignored), IP
 * literals by address or CIDR range; entries with a port match nothing (curl has no port rules).
 *
 * @example
 * shouldProxy("https://api.example.com/x", ".example.com,10.0.0.0/8") // false: direct
 * shouldProxy("http://10.1.2.3/", "10.0.0.0/8") // false
 * shouldProxy("http://example.org/", "example.com") // true
 */
export function shouldProxy(url: URL | string, noProxy: string | undefined): boolean {
  if (noProxy === undefined || noProxy === "") return true;
  if (noProxy === "*") return false;
  const host = hostOf(url);
  if (host === undefined) return true;
  for (const entry of noProxyEntries(noProxy)) {
    const hit = host.kind === "name" ? matchesName(host.name, entry) : matchesAddress(host, entry);
    if (hit) return false;
  }
  return true;
}
