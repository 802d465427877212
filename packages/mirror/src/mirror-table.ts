import type { HttpRequest } from "@switchyard/core";
import type { MirrorsConfig } from "./mirror-config.ts";
import { parseMirrorsConfig } from "./mirror-config.ts";
import type { PoolEntry, PoolSettings, PoolSnapshot } from "./mirror-pool.ts";
import { Pool } from "./mirror-pool.ts";
import type { UrlPrefix } from "./mirror-prefix.ts";
import { longestPrefix, parsePrefix, restBelowPath } from "./mirror-prefix.ts";

/** Every prefix's pool, and the longest-prefix lookup over them. */
export class MirrorTable {
  readonly #settings: PoolSettings;
  #pools = new Map<string, Pool>();
  #prefixes: readonly UrlPrefix[] = [];
  // The prefixes by base (`scheme://host[:port]`): for a URL with an origin, the one group that can
  // hold its prefix, found with one lookup (a request to a host no prefix names ends there).
  #byBase: ReadonlyMap<string, readonly UrlPrefix[]> = new Map();

  constructor(config: MirrorsConfig, settings: PoolSettings) {
    this.#settings = settings;
    this.set(config);
  }

  /** The pool whose prefix is the longest one the request's URL falls under, with the rest of the URL. */
  match(request: HttpRequest): { readonly pool: Pool; readonly rest: string } | undefined {
    const url = request.urlParts;
    const origin = url.origin;
    // An http(s), ws(s) or ftp URL's origin is `protocol//host`, a prefix's base (and the transport
    // reads it anyway): one lookup finds the only prefixes it can fall under, then the path decides.
    // A `blob:https://...` URL has its inner URL's origin but no host of its own, so no prefix.
    // Other schemes (oci:, s3:...) have no origin and are compared with every prefix.
    let found: { readonly prefix: UrlPrefix; readonly rest: string } | undefined;
    if (origin !== "null") {
      const group = this.#byBase.get(origin);
      if (group === undefined || request.url.startsWith("blob:")) return undefined;
      found = longestPrefix(group, url, restBelowPath);
    } else found = longestPrefix(this.#prefixes, url);
    if (found === undefined) return undefined;
    return { pool: this.#pools.get(found.prefix.key)!, rest: found.rest };
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
    this.#prefixes = Object.freeze([...pools.values()].map((pool) => pool.urlPrefix));
    const byBase = new Map<string, UrlPrefix[]>();
    for (const prefix of this.#prefixes) {
      const group = byBase.get(prefix.base);
      if (group === undefined) byBase.set(prefix.base, [prefix]);
      else group.push(prefix);
    }
    this.#byBase = byBase;
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
