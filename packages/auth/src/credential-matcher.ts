import type { CredentialKey, LookupTarget } from "./credential-key.ts";
import { hostPatterns, keyPattern, lookupTarget, pathCovers } from "./credential-key.ts";

/** One key and what it maps to. */
export interface MatcherEntry<T> {
  readonly key: CredentialKey;
  readonly value: T;
}

/** What a lookup found: the entry and the host pattern level it matched on. */
export interface MatchResult<T> extends MatcherEntry<T> {
  /** 0 for the exact host, 1 for `*.host`, 2 for `*.parent`... */
  readonly level: number;
}

/** A compiled set of keys; `match` finds the most specific entry for a URL. */
export interface CredentialMatcher<T> {
  readonly size: number;
  /** The keys, in the order given. */
  readonly keys: readonly CredentialKey[];
  match(url: string | URL | LookupTarget): MatchResult<T> | undefined;
}

interface Ranked<T> extends MatcherEntry<T> {
  readonly order: number;
}

// Within one host pattern: the longest path wins, then a key naming the scheme, then one naming
// the port, then the entry given first.
function compare<T>(a: Ranked<T>, b: Ranked<T>): number {
  return (
    b.key.path.length - a.key.path.length ||
    Number(b.key.scheme !== undefined) - Number(a.key.scheme !== undefined) ||
    Number(b.key.port !== undefined) - Number(a.key.port !== undefined) ||
    a.order - b.order
  );
}

function accepts(key: CredentialKey, target: LookupTarget): boolean {
  if (key.scheme !== undefined && key.scheme !== target.scheme) return false;
  if (key.port !== undefined && key.port !== target.port) return false;
  // A key may name the path with or without a conda token in front (`/t/<token>/channel`).
  return pathCovers(key.path, target.path) || pathCovers(key.path, target.tokenlessPath);
}

/**
 * Compiles entries into a matcher. Lookup order: the exact host, then `*.` wildcards walking up
 * from the host (`*.a.b.example.com`, `*.b.example.com`, `*.example.com`, `*.com`); the first
 * host pattern with any accepting key wins, and within it the longest path prefix.
 */
export function createMatcher<T>(entries: Iterable<MatcherEntry<T>>): CredentialMatcher<T> {
  const byPattern = new Map<string, Ranked<T>[]>();
  const keys: CredentialKey[] = [];
  let order = 0;
  for (const entry of entries) {
    keys.push(entry.key);
    const pattern = keyPattern(entry.key);
    let list = byPattern.get(pattern);
    if (list === undefined) {
      list = [];
      byPattern.set(pattern, list);
    }
    list.push({ key: entry.key, value: entry.value, order: order++ });
  }
  for (const list of byPattern.values()) list.sort(compare);
  return {
    size: order,
    keys: Object.freeze(keys),
    match(input) {
      const target = typeof input === "string" || input instanceof URL ? lookupTarget(input) : input;
      if (target === undefined || byPattern.size === 0) return undefined;
      const patterns = hostPatterns(target);
      for (let level = 0; level < patterns.length; level++) {
        const list = byPattern.get(patterns[level]!);
        if (list === undefined) continue;
        for (const entry of list) {
          if (accepts(entry.key, target)) return { key: entry.key, value: entry.value, level };
        }
      }
      return undefined;
    },
  };
}
