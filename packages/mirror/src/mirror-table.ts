import type { HttpRequest } from "@switchyard/core";
import type { MirrorsConfig } from "./mirror-config.ts";
import { parseMirrorsConfig } from "./mirror-config.ts";
import type { PoolEntry, PoolSettings, PoolSnapshot } from "./mirror-pool.ts";
import { Pool } from "./mirror-pool.ts";
import type { UrlPrefix } from "./mirror-prefix.ts";
import {
  baseEnd,
  hasUserinfo,
  longestPrefix,
  parsePrefix,
  restBelowPath,
  startsWithBase,
  WITH_USERINFO,
} from "./mirror-prefix.ts";

const IN_PLACE_BASES = 8;
const EVERY = "every";

/** Every prefix's pool, and the longest-prefix lookup over them. */
export class MirrorTable {
  readonly #settings: PoolSettings;
  #pools = new Map<string, Pool>();
  #prefixes: readonly UrlPrefix[] = [];
  // The prefixes grouped by base (`scheme://host[:port]`), in a list compared in place while short,
  // in a map past that: a request to a host no prefix names ends there, reading only its URL text.
  #groups: readonly (readonly [string, readonly UrlPrefix[]])[] = [];
  #byBase: ReadonlyMap<string, readonly UrlPrefix[]> | undefined;
  // The last URL text no prefix matched: a program calls the same URLs over and over, and requests
  // made from one text share that string, so passing it over again is one comparison. set() forgets it.
  #lastMiss: string | undefined;

  constructor(config: MirrorsConfig, settings: PoolSettings) {
    this.#settings = settings;
    this.set(config);
  }

  /** The pool whose prefix is the longest one the request's URL falls under, with the rest of the URL. */
  match(request: HttpRequest): { readonly pool: Pool; readonly rest: string } | undefined {
    const href = request.url;
    if (href === this.#lastMiss) return undefined;
    const found = this.#match(href, request);
    // Never a text with userinfo: no password outlives its request here.
    if (found === undefined && !hasUserinfo(href)) this.#lastMiss = href;
    return found;
  }

  #match(href: string, request: HttpRequest): { readonly pool: Pool; readonly rest: string } | undefined {
    const group = this.#byBase === undefined ? this.#compare(href) : this.#lookUp(this.#byBase, href);
    if (group === undefined) return undefined;
    // Userinfo hides the base from the text: every prefix is compared with the parsed URL.
    const found =
      group === EVERY
        ? longestPrefix(this.#prefixes, request.urlParts)
        : longestPrefix(group, request.urlParts, restBelowPath);
    if (found === undefined) return undefined;
    return { pool: this.#pools.get(found.prefix.key)!, rest: found.rest };
  }

  // The prefixes of the base the URL text starts with, each base compared in place.
  #compare(href: string): readonly UrlPrefix[] | typeof EVERY | undefined {
    const groups = this.#groups;
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i]!;
      if (startsWithBase(href, group[0])) return group[1];
    }
    return hasUserinfo(href) ? EVERY : undefined;
  }

  // The same with many bases: the URL's base cut from its text, then one lookup.
  #lookUp(
    byBase: ReadonlyMap<string, readonly UrlPrefix[]>,
    href: string,
  ): readonly UrlPrefix[] | typeof EVERY | undefined {
    const end = baseEnd(href);
    if (end === -1) return undefined;
    return end === WITH_USERINFO ? EVERY : byBase.get(href.slice(0, end));
  }

  /**
   * Replaces the whole table. Validates everything first (an invalid table changes nothing); pools
   * of prefixes present before and after are kept, and so is the history of their mirrors.
   */
  set(config: MirrorsConfig): void {
    const parsed = parseMirrorsConfig(config, this.#settings.defaults);
    const pools = new Map<string, Pool>();
    for (const p of parsed) {
      const existing = this.#pools.get(p.prefix.key);
      if (existing === undefined) pools.set(p.prefix.key, new Pool(p, this.#settings));
      else {
        existing.install(p);
        pools.set(p.prefix.key, existing);
      }
    }
    this.#pools = pools;
    this.#lastMiss = undefined;
    this.#prefixes = Object.freeze([...pools.values()].map((pool) => pool.urlPrefix));
    const byBase = new Map<string, UrlPrefix[]>();
    for (const prefix of this.#prefixes) {
      const group = byBase.get(prefix.base);
      if (group === undefined) byBase.set(prefix.base, [prefix]);
      else group.push(prefix);
    }
    this.#groups = [...byBase];
    // Past a handful of bases one slice and one lookup beat comparing each in place.
    this.#byBase = byBase.size > IN_PLACE_BASES ? byBase : undefined;
  }

  /** The pool of `prefix` (any spelling of it: trailing slashes do not matter), if configured. */
  pool(prefix: string): Pool | undefined {
    let url: URL;
    try {
      url = new URL(prefix);
    } catch {
      return undefined;
    }
    return this.#pools.get(parsePrefix(url).key);
  }

  /** Every mirror of every pool (origins excluded), for shared health. */
  *entries(): Iterable<PoolEntry> {
    for (const pool of this.#pools.values()) yield* pool.entries;
  }

  /** Every pool's state, in configured order. */
  snapshot(): readonly PoolSnapshot[] {
    return Object.freeze([...this.#pools.values()].map((pool) => pool.snapshot()));
  }
}
