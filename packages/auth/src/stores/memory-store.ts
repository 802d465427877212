import type { Credential } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";
import { parseKey } from "../credential-key.ts";
import type { CredentialMatcher, MatcherEntry } from "../credential-matcher.ts";
import { createMatcher } from "../credential-matcher.ts";
import { credentialProblem } from "../validate-credential.ts";
import type { AuthStore } from "./auth-store.ts";
import { declareKeys } from "./store-scope.ts";

/** Entries for {@link memoryStore}: key (`host`, `host/path`, `*.domain`, `s3://bucket`...) to credential. */
export type CredentialEntries =
  | Readonly<Record<string, Credential>>
  | Iterable<readonly [string, Credential]>;

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** The store's name in events and errors. @default "memory" */
  readonly name?: string;
}

/** A store held in memory; entries can be changed at run time. */
export interface MemoryStore extends AuthStore {
  /** Changes whenever the store's data changes. */
  revision(): number | Promise<number>;
  /** Adds or replaces the credential for `key`. Throws InvalidOptionsError for a bad key or credential. */
  set(key: string, credential: Credential): void;
  /** Removes `key`; tells whether it was there. */
  delete(key: string): boolean;
  /** The normalised keys, in insertion order. */
  keys(): string[];
}

function compile(
  key: string,
  credential: unknown,
  where: string,
): MatcherEntry<Credential> & { text: string } {
  const parsed = parseKey(key);
  if (!parsed.ok) throw new InvalidOptionsError(`${where}: ${parsed.reason}`);
  const problem = credentialProblem(credential);
  if (problem !== undefined) throw new InvalidOptionsError(`${where} (${parsed.key.text}): ${problem}`);
  return { key: parsed.key, value: Object.freeze({ ...(credential as Credential) }), text: parsed.key.text };
}

/**
 * A store over credentials given in code. Keys and credentials are validated at once; a bad one
 * throws `InvalidOptionsError` naming the key (never the secret).
 *
 * @example
 * const store = memoryStore({ "api.example.com": { kind: "bearer", token: process.env.API_TOKEN! } });
 */
export function memoryStore(entries: CredentialEntries = {}, options: MemoryStoreOptions = {}): MemoryStore {
  const name = options.name ?? "memory";
  if (typeof name !== "string" || name === "")
    throw new InvalidOptionsError("memoryStore name must be a non-empty string");
  const list =
    Symbol.iterator in Object(entries)
      ? [...(entries as Iterable<readonly [string, Credential]>)]
      : Object.entries(entries as Record<string, Credential>);
  const table = new Map<string, MatcherEntry<Credential>>();
  list.forEach(([key, credential], i) => {
    const entry = compile(key, credential, `memoryStore entry ${i}`);
    if (table.has(entry.text))
      throw new InvalidOptionsError(`memoryStore: the key ${entry.text} is given twice`);
    table.set(entry.text, entry);
  });
  let matcher: CredentialMatcher<Credential> = createMatcher(table.values());
  let revision = 0;
  const rebuild = () => {
    matcher = createMatcher(table.values());
    revision++;
  };
  const store: MemoryStore = {
    name,
    get(url) {
      return Promise.resolve(matcher.match(url)?.value);
    },
    revision: () => revision,
    set(key, credential) {
      const entry = compile(key, credential, "memoryStore.set");
      table.set(entry.text, entry);
      rebuild();
    },
    delete(key) {
      const parsed = parseKey(key);
      if (!parsed.ok || !table.delete(parsed.key.text)) return false;
      rebuild();
      return true;
    },
    keys: () => [...table.keys()],
  };
  // Its keys change only with its revision (set and delete rebuild the matcher).
  return declareKeys(store, () => matcher.keys);
}
