import type { HttpRequest } from "./request.ts";
import { collectHeaderSecrets, collectUrlSecrets } from "./request-secrets.ts";

/** A typed key into a call's {@link Context}. Two keys with the same name are still distinct. */
export interface ContextKey<T> {
  readonly name: string;
  /** Phantom field: carries the value type, never set at run time. */
  readonly __type?: T;
}

/**
 * Creates a typed context key.
 *
 * @example
 * const requestIdKey = contextKey<string>("my-plugin:request-id");
 * context.set(requestIdKey, "abc");
 */
export function contextKey<T>(name: string): ContextKey<T> {
  return Object.freeze({ name });
}

/** Records the request the transport is sending for `context` (core-internal). */
export let noteSent: (context: Context, request: HttpRequest) => void;

/**
 * The per-call store: one per `client.request` / `client.fetch` call, shared by every middleware
 * and every attempt of that call, and readable afterwards from the response and from errors.
 */
export class Context {
  // Keys and values side by side ([key, value, key, value...]), made on first write: a call holds a
  // handful of entries, which a linear scan finds faster than a Map costs to build per call. The
  // array is made with room for four entries and `#used` counts the slots in use, so the writes of
  // a typical call never grow it (growing a two-slot array allocated 192 bytes per call).
  #entries: unknown[] | undefined;
  #used = 0;
  // Secrets registered with addSecret() or read off requests sent, made on first use.
  #secrets: Set<string> | undefined;
  // The last request the transport sent, read for secrets only when an error or event needs them
  // (or when another request replaces it): the hot path pays one field write per send.
  #sent: HttpRequest | undefined;

  static {
    noteSent = (context, request) => {
      const previous = context.#sent;
      if (previous !== undefined && previous !== request) context.#collect(previous);
      context.#sent = request;
    };
  }

  #collect(request: HttpRequest): void {
    this.#secrets ??= new Set();
    collectUrlSecrets(request.url, this.#secrets);
    collectHeaderSecrets(request.headers, this.#secrets);
  }

  /**
   * Registers a credential this call uses (a token, a password, a signing key, a value a plugin
   * obtained), so that every error and diagnostics event of the call is scrubbed of it, whichever
   * plugin produced them. Core registers on its own what each request sent carries (secret header
   * values, URL userinfo, secret query values, the conda `/t/` token); plugins add what never goes
   * on the wire as such (an S3 secret key, a refresh token, a password traded for a token).
   * Values shorter than 4 characters are ignored (see the README, "Secrets"). Returns the context.
   */
  addSecret(value: string | undefined | null): this {
    if (typeof value === "string" && value !== "") {
      this.#secrets ??= new Set();
      this.#secrets.add(value);
    }
    return this;
  }

  /** Every secret known to the call so far: registered ones and those of the requests sent. */
  secrets(): string[] {
    const sent = this.#sent;
    if (sent !== undefined) {
      this.#collect(sent);
      this.#sent = undefined;
    }
    return this.#secrets === undefined ? [] : [...this.#secrets];
  }

  #indexOf(key: ContextKey<unknown>): number {
    const entries = this.#entries;
    if (entries === undefined) return -1;
    const used = this.#used;
    for (let i = 0; i < used; i += 2) if (entries[i] === key) return i;
    return -1;
  }

  /** The value stored under `key`, if any. */
  get<T>(key: ContextKey<T>): T | undefined {
    const i = this.#indexOf(key);
    return i === -1 ? undefined : (this.#entries![i + 1] as T);
  }

  /** Stores `value` under `key`; returns the context so calls can be chained. */
  set<T>(key: ContextKey<T>, value: T): this {
    const i = this.#indexOf(key);
    if (i !== -1) {
      this.#entries![i + 1] = value;
      return this;
    }
    const used = this.#used;
    if (this.#entries === undefined) {
      // Not an array literal: V8 tracks a literal's allocation site and, once contexts outlive a
      // scavenge (calls held across one), allocates it in old space, which made set() about 6 % of
      // a call over a fake dispatcher.
      const entries = new Array(8);
      entries[0] = key;
      entries[1] = value;
      this.#entries = entries;
    } else if (used === this.#entries.length) {
      this.#entries.push(key, value);
    } else {
      this.#entries[used] = key;
      this.#entries[used + 1] = value;
    }
    this.#used = used + 2;
    return this;
  }

  /** Whether a value is stored under `key`. */
  has(key: ContextKey<unknown>): boolean {
    return this.#indexOf(key) !== -1;
  }

  /** Removes the value stored under `key`. */
  delete(key: ContextKey<unknown>): boolean {
    const i = this.#indexOf(key);
    if (i === -1) return false;
    const entries = this.#entries!;
    const used = this.#used;
    entries.copyWithin(i, i + 2, used);
    entries[used - 2] = undefined;
    entries[used - 1] = undefined;
    this.#used = used - 2;
    return true;
  }

  /** The names of the keys that hold a value, for logs and debugging (values are not exposed). */
  keys(): string[] {
    const names: string[] = [];
    const entries = this.#entries ?? [];
    for (let i = 0; i < this.#used; i += 2) names.push((entries[i] as ContextKey<unknown>).name);
    return names;
  }
}
