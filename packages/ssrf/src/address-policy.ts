import ipaddr from "ipaddr.js";

/** Why an address is refused: the name of its range (`loopback`, `private`, `linkLocal`...). */
export interface Refusal {
  /** The address as checked (IPv6 without brackets). */
  readonly address: string;
  /**
   * The range that refuses it, as ipaddr.js names them (`loopback`, `private`, `linkLocal`,
   * `uniqueLocal`, `carrierGradeNat`, `multicast`, `unspecified`, `broadcast`, `reserved`...), or
   * `denied` for the `deny` list; an IPv6 address that embeds an IPv4 one says both
   * (`ipv4Mapped(loopback)`).
   */
  readonly range: string;
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

// IPv6 ranges that carry an IPv4 address: it decides. Where the four bytes sit in each.
const EMBEDDED_V4: Readonly<Record<string, (bytes: number[]) => number[]>> = {
  ipv4Mapped: (b) => b.slice(12, 16), // ::ffff:a.b.c.d (ipaddr.js also files ::a.b.c.d here)
  rfc6145: (b) => b.slice(12, 16), // ::ffff:0:a.b.c.d (SIIT)
  rfc6052: (b) => b.slice(12, 16), // 64:ff9b::a.b.c.d (NAT64)
  "6to4": (b) => b.slice(2, 6), // 2002:AABB:CCDD::
  teredo: (b) => b.slice(12, 16).map((x) => x ^ 0xff), // client address, obfuscated
};

/** Parses `address/bits` (or a bare address: one host) into a CIDR; throws TypeError when malformed. */
export function parseCidr(entry: string): Cidr {
  const text = entry.trim().replace(/^\[(.*)\]$/, "$1");
  if (text.includes("/")) return ipaddr.parseCIDR(text) as Cidr;
  if (!ipaddr.isValid(text)) throw new TypeError(`not an IP address or CIDR range: ${JSON.stringify(entry)}`);
  const address = ipaddr.parse(text);
  return [address, address.kind() === "ipv4" ? 32 : 128];
}

function inAny(address: Address, list: readonly Cidr[]): boolean {
  for (const [range, bits] of list) {
    if (range.kind() === address.kind() && address.match(range as never, bits)) return true;
  }
  return false;
}

/**
 * Decides which addresses may be connected to: every address that is not public unicast is
 * refused (ipaddr.js's range table: loopback, private, link-local, unique-local, CGNAT,
 * multicast, unspecified, broadcast, reserved and documentation ranges...), an IPv6 address that
 * embeds an IPv4 one is judged by that IPv4 address, `deny` refuses more, and `allow` wins over
 * both.
 */
export class AddressPolicy {
  readonly #allow: readonly Cidr[];
  readonly #deny: readonly Cidr[];

  constructor(allow: readonly Cidr[], deny: readonly Cidr[]) {
    this.#allow = allow;
    this.#deny = deny;
  }

  /** The refusal for `address` (an IP in any form ipaddr.js reads), or `undefined` when it may be used. */
  check(address: string): Refusal | undefined {
    const text = address.replace(/^\[(.*)\]$/, "$1");
    if (!ipaddr.isValid(text)) return { address: text, range: "invalid" };
    const parsed = ipaddr.parse(text);
    if (inAny(parsed, this.#allow)) return undefined;
    if (inAny(parsed, this.#deny)) return { address: text, range: "denied" };
    const range = parsed.range();
    if (parsed.kind() === "ipv6") {
      const embed = EMBEDDED_V4[range];
      if (embed !== undefined) {
        const v4 = new ipaddr.IPv4(embed((parsed as ipaddr.IPv6).toByteArray()));
        const inner = this.check(v4.toString());
        return inner === undefined ? undefined : { address: text, range: `${range}(${inner.range})` };
      }
    }
    return range === "unicast" ? undefined : { address: text, range };
  }
}
