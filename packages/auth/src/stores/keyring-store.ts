import type { Credential } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";
import { LRUCache } from "lru-cache";
import { hostPatterns, lookupTarget, parseKey } from "../credential-key.ts";
import { KeyringUnavailableError } from "../errors.ts";
import { decodeRattlerValue, encodeRattlerValue, unencodableReason } from "../formats/rattler-format.ts";
import { credentialProblem } from "../validate-credential.ts";
import type { AuthStore } from "./auth-store.ts";

/** The part of `@napi-rs/keyring` this store uses. */
export interface KeyringModule {
  readonly Entry: new (
    service: string,
    account: string,
  ) => {
    getPassword(): string | null | undefined;
    setPassword(password: string): void;
    deletePassword(): unknown;
  };
}

/** Options of {@link keyringStore}. */
export interface KeyringStoreOptions {
  /** The keyring service name; rattler uses `"rattler"`, so its logins are found as-is. @default "rattler" */
  readonly service?: string;
  /** The store's name in events and errors. @default "keyring" */
  readonly name?: string;
  /** Milliseconds a found credential is reused before asking the OS keyring again. @default 60000 */
  readonly cacheTtl?: number;
  /** Milliseconds a miss is remembered. @default 60000 */
  readonly missTtl?: number;
  /** Loads the binding; override to use another binding with the same API. @default import("@napi-rs/keyring") */
  readonly load?: () => Promise<unknown>;
}

/** A store over the OS keyring. */
export interface KeyringStore extends AuthStore {
  /** Stores `credential` under the host `key` (exact host or `*.domain`, as rattler does). */
  set(key: string, credential: Credential): Promise<void>;
  /** Removes the entry for `key`; tells whether there was one. */
  delete(key: string): Promise<boolean>;
  /** Forgets cached lookups for the URL's host so the next lookup asks the keyring again. */
  invalidate(url: string, credential: Credential): Promise<void>;
}

// A variable specifier keeps bundlers and tsc from requiring the optional package.
const KEYRING_PACKAGE = "@napi-rs/keyring";

function explicitPort(url: string): string {
  try {
    return new URL(url).port;
  } catch {
    return "";
  }
}

function pickModule(loaded: unknown): KeyringModule {
  const candidates = [loaded, (loaded as { default?: unknown } | null)?.default];
  for (const m of candidates) {
    if (typeof (m as Partial<KeyringModule> | null)?.Entry === "function") return m as KeyringModule;
  }
  throw new TypeError("the module has no Entry class");
}

/**
 * A store over the OS keyring through the optional package `@napi-rs/keyring`, loaded on first
 * use. Entries hold rattler's JSON (`{"BearerToken": "..."}`) under the account = host name;
 * lookups try the host, then `*.host` and `*.` each parent domain. When the package is not
 * installed, every lookup fails with `KeyringUnavailableError` (SWITCHYARD_ERR_AUTH_KEYRING_UNAVAILABLE).
 *
 * @example
 * const store = keyringStore({ service: "rattler" });
 */
export function keyringStore(options: KeyringStoreOptions = {}): KeyringStore {
  const service = options.service ?? "rattler";
  const name = options.name ?? "keyring";
  const cacheTtl = options.cacheTtl ?? 60_000;
  const missTtl = options.missTtl ?? 60_000;
  if (typeof service !== "string" || service === "")
    throw new InvalidOptionsError("keyringStore: service must be a non-empty string");
  if (typeof name !== "string" || name === "")
    throw new InvalidOptionsError("keyringStore: name must be a non-empty string");
  for (const [k, v] of [
    ["cacheTtl", cacheTtl],
    ["missTtl", missTtl],
  ] as const) {
    if (!Number.isFinite(v) || v < 0)
      throw new InvalidOptionsError(`keyringStore: ${k} must be milliseconds >= 0`);
  }
  const load = options.load ?? (() => import(KEYRING_PACKAGE));
  let module: Promise<KeyringModule> | undefined;
  const cache = new LRUCache<string, { value: Credential | undefined; until: number }>({ max: 256 });

  const binding = (): Promise<KeyringModule> => {
    module ??= Promise.resolve()
      .then(load)
      .then(pickModule)
      .catch((cause: unknown) => {
        module = undefined;
        throw new KeyringUnavailableError(
          `the keyring store "${name}" needs the optional package ${KEYRING_PACKAGE}, which could not be loaded; install it (npm install ${KEYRING_PACKAGE}) or remove keyringStore() from the stores`,
          { cause },
        );
      });
    return module;
  };

  const call = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (cause) {
      throw new KeyringUnavailableError(`the OS keyring failed to ${what} for service "${service}"`, {
        cause,
      });
    }
  };

  const read = async (account: string): Promise<Credential | undefined> => {
    const { Entry } = await binding();
    const text = call("read an entry", () => new Entry(service, account).getPassword());
    if (text === null || text === undefined || text === "") return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new KeyringUnavailableError(
        `the keyring entry for ${account} (service "${service}") is not rattler's JSON credential format`,
      );
    }
    const decoded = decodeRattlerValue(value);
    if (!decoded.ok) {
      throw new KeyringUnavailableError(
        `the keyring entry for ${account} (service "${service}"): ${decoded.reason}`,
      );
    }
    return decoded.credential;
  };

  const accountFor = (key: string): string => {
    const parsed = parseKey(key);
    if (!parsed.ok) throw new InvalidOptionsError(`keyringStore: ${parsed.reason}`);
    const k = parsed.key;
    if (k.scheme !== undefined || k.path !== "") {
      throw new InvalidOptionsError(
        "keyringStore keys are host names or *.domain wildcards (no scheme or path)",
      );
    }
    return `${k.wildcard ? "*." : ""}${k.host}${k.port === undefined ? "" : `:${k.port}`}`;
  };

  return {
    name,
    async get(url) {
      const target = lookupTarget(url);
      if (target === undefined) return undefined;
      const cacheKey = `${target.host}:${target.port ?? ""}`;
      const now = Date.now();
      const cached = cache.get(cacheKey);
      if (cached !== undefined && cached.until > now) return cached.value;
      // host:port first (only when the URL names a port), then the host, then the wildcard walk.
      const candidates = hostPatterns(target);
      if (explicitPort(url) !== "") candidates.unshift(`${target.host}:${target.port}`);
      for (const account of candidates) {
        const found = await read(account);
        if (found !== undefined) {
          cache.set(cacheKey, { value: found, until: now + cacheTtl });
          return found;
        }
      }
      cache.set(cacheKey, { value: undefined, until: now + missTtl });
      return undefined;
    },
    async invalidate(url) {
      const target = lookupTarget(url);
      if (target !== undefined) cache.delete(`${target.host}:${target.port ?? ""}`);
    },
    async set(key, credential) {
      const account = accountFor(key);
      const problem = credentialProblem(credential) ?? unencodableReason(credential);
      if (problem !== undefined) throw new InvalidOptionsError(`keyringStore.set (${account}): ${problem}`);
      const text = JSON.stringify(encodeRattlerValue(credential));
      const { Entry } = await binding();
      call("write an entry", () => new Entry(service, account).setPassword(text));
      cache.clear();
    },
    async delete(key) {
      const account = accountFor(key);
      const { Entry } = await binding();
      const entry = new Entry(service, account);
      const existed = call("read an entry", () => entry.getPassword());
      if (existed === null || existed === undefined) return false;
      call("delete an entry", () => entry.deletePassword());
      cache.clear();
      return true;
    },
  };
}
