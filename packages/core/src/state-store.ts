/**
 * The state-store contract: where stateful plugins (retry-after deadlines, the retry budget, token
 * caches, OAuth refreshes, mirror health, breakers, rate limits, cache metadata) keep state that
 * several processes or machines share. Core defines it as it defines `CredentialStore`; memory is
 * the default, SQLite and Redis/Valkey stores are their own packages, and any third-party store
 * (Postgres, Memcached, DynamoDB...) implements these operations and passes the testkit's store
 * conformance suite.
 *
 * Designed from what the plugins need, not from one engine's command list:
 *
 * - **Durations, never instants.** Every time a caller passes is a duration from "now", and every
 *   time the store answers is a duration left. The store's own clock decides "now" and expiry, so
 *   hosts whose clocks disagree still agree on a deadline.
 * - **Every key has a TTL.** Nothing lives forever; an entry past its TTL is gone for every reader.
 * - **Each operation is atomic in the store** (one decision, even with many processes racing).
 * - **Values are opaque strings.** Plugins serialise; a value holding a secret (a token) is sealed
 *   with a key the caller supplies before it is stored, or the plugin does not share it.
 * - **Keys never hold secrets.** Plugins hash credential identities into keys. Keys are namespaced
 *   `<plugin>:<rest>`; a store may prefix them further (and hash-tag them for Redis Cluster).
 * - **Plugins never wait on it for a request they pass through**, and a slow or dead store never
 *   fails a request: plugins call it through bounded waits and fall back to their local state.
 */
export interface StateStore {
  /** A short name for events and errors (`"memory"`, `"sqlite"`, `"redis"`); never a secret. */
  readonly name: string;

  /** The entry at `key`, or undefined when there is none or its TTL has run out. */
  get(key: string): Promise<StateEntry | undefined>;

  /** Stores `value` at `key` for `ttlMs`, replacing any entry (last writer wins). */
  set(key: string, value: string, ttlMs: number): Promise<void>;

  /**
   * Stores `value` at `key` for `ttlMs` only when no live entry is there. Resolves true when this
   * call stored it. The building block for "first writer wins" and single-flight fills.
   */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;

  /** Removes the entry at `key` (no error when there is none). */
  delete(key: string): Promise<void>;

  /**
   * Keep-the-later deadline: makes the deadline at `key` at least `inMs` from now (the store's
   * now) and resolves with how long is left until the resulting deadline, in milliseconds. A
   * shorter deadline never replaces a longer one; the entry expires with its deadline. Used by
   * retry-after ("nobody sends to this target before..."), breakers ("open until...").
   */
  extendDeadline(key: string, inMs: number): Promise<number>;

  /**
   * Adds `by` (may be negative) to the counter at `key` and resolves with the new value. A counter
   * that did not exist starts at 0 and lives `ttlMs` from its creation; later increments do not
   * move its expiry (a fixed window). Used by budgets, failure counts, rate-limit windows.
   */
  increment(key: string, by: number, ttlMs: number): Promise<number>;

  /**
   * Takes the lease `key` for `ttlMs` when nobody holds it, for single-flight work across the
   * fleet (one token exchange per scope, one probe of a recovering mirror). Resolves undefined
   * when another holder has it. A lease whose holder dies expires with its TTL.
   */
  acquireLease(key: string, ttlMs: number): Promise<StateLease | undefined>;

  /**
   * Calls `listener` when an entry whose key starts with `prefix` is written or removed by any
   * process (this one included), so plugins keep a local view without polling on the hot path.
   * Delivery is at-most-once and may lag; a listener reads the key again if it needs the value.
   * Returns a function that stops the subscription.
   */
  subscribe(prefix: string, listener: (change: StateChange) => void): () => void;

  /** Releases connections, timers and subscriptions. The store is unusable afterwards. */
  close(): Promise<void>;
}

/** What {@link StateStore.get} answers. */
export interface StateEntry {
  readonly value: string;
  /** Milliseconds left before the entry expires, by the store's clock. */
  readonly ttlMs: number;
}

/** A lease held by this process; see {@link StateStore.acquireLease}. */
export interface StateLease {
  readonly key: string;
  /** Gives the lease back early. Releasing a lease that expired, or that another holder took since, does nothing. */
  release(): Promise<void>;
}

/** One change seen by a {@link StateStore.subscribe} listener. */
export interface StateChange {
  readonly key: string;
  /** `"set"` for any write (set, setIfAbsent, extendDeadline, increment, lease), `"delete"` for removals. */
  readonly kind: "set" | "delete";
}
