import type { UrlParts } from "@switchyard/core";
import type { MirrorsConfig } from "./mirror-config.ts";
import { parseMirrorsConfig } from "./mirror-config.ts";
import type { PoolEntry, PoolSettings, PoolSnapshot } from "./mirror-pool.ts";
import { Pool } from "./mirror-pool.ts";
import type { UrlPrefix } from "./mirror-prefix.ts";
import { longestPrefix, parsePrefix } from "./mirror-prefix.ts";

/** Every prefix's pool, and the longest-prefix lookup over them. */
export class MirrorTable {
  readonly #settings: PoolSettings;
  #pools = new Map<string, Pool>();
  #prefixes: readonly UrlPrefix[] = [];

  constructor(config: MirrorsConfig, settings: PoolSettings) {
    this.#settings = settings;
    this.set(config);
  }

  /** The pool whose prefix is the longest one `url` falls under, with the rest of the URL. */
  match(url: UrlParts): { readonly pool: Pool; readonly rest: string } | undefined {
    const found = longestPrefix(this.#prefixes, url);
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
