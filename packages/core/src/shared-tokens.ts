import { openState, sealState } from "./seal-state.ts";
import { stateKey } from "./state-key.ts";
import type { StateLease, StateStore } from "./state-store.ts";
import { guardStateStore, type StateStoreGuard } from "./state-store-guard.ts";

/** A token as the fleet shares it: an opaque value (the caller serialises) and how long it lives. */
export interface SharedToken {
  readonly value: string;
  /** Milliseconds it stays in the store; 0 or less: not shared (this process keeps it to itself). */
  readonly ttlMs: number;
}

/** Options of {@link SharedTokens}. */
export interface SharedTokensOptions {
  readonly store: StateStore;
  /** The 32-byte key tokens are sealed with (AES-256-GCM) before they leave this process. */
  readonly sealKey: Uint8Array;
  /** Longest wait for one store operation (core's guard). */
  readonly timeoutMs: number | undefined;
  /** How long one process may hold the fetch lease; the others wait at most this long. */
  readonly leaseMs: number;
  /** The plugin, named in the store guard's events. */
  readonly plugin: string;
  /** Key namespaces (core's `stateKey`): where sealed tokens live, and the fetch leases. */
  readonly namespaces: { readonly token: string; readonly lease: string };
}
const NOTHING = Symbol("nothing");
/** How often a waiting process reads the store anyway (a change notification may be lost). */
const POLL_MS = 200;

/**
 * One token fetch per identity per expiry for the whole fleet. A process looks in the shared store
 * first; when nothing usable is there it takes the fetch lease; the holder fetches and stores the
 * token sealed (AES-256-GCM under the caller's key, bound to its state key), the others wait for the
 * token's change notification (or poll every 200 ms), and take the lease themselves if the holder
 * gave it back without a token (its fetch failed), up to the lease's length. Keys hash the
 * identity; no token is ever stored in the clear. A slow or dead store (core's guard answers the
 * fallback and publishes the failure), a value that does not open (another sealKey), or a holder
 * that never delivers: this process fetches for itself, as without a store.
 *
 * `@switchyard/gcs` and `@switchyard/auth` each carry this file (they are published separately and
 * neither depends on the other); keep the two copies the same.
 */
export class SharedTokens {
  readonly #guard: StateStoreGuard;
  readonly #sealKey: Uint8Array;
  readonly #leaseMs: number;
  readonly #token: string;
  readonly #lease: string;
  readonly #waiters = new Map<string, Set<() => void>>();

  constructor(options: SharedTokensOptions) {
    this.#guard = guardStateStore(options.store, { plugin: options.plugin, timeoutMs: options.timeoutMs });
    this.#sealKey = options.sealKey;
    this.#leaseMs = options.leaseMs;
    const { token, lease } = options.namespaces;
    this.#token = token;
    this.#lease = lease;
    const wake = (key: string): void => {
      const waiters = this.#waiters.get(key);
      if (waiters !== undefined) for (const w of waiters) w();
    };
    this.#guard.subscribe(`${token}:`, (change) => {
      if (change.kind === "set") wake(change.key);
    });
    // A released lease (the holder's fetch failed) wakes the waiters so that one of them takes it.
    // Both keys end with the same hash of the identity.
    this.#guard.subscribe(`${lease}:`, (change) => {
      if (change.kind === "delete") wake(`${token}${change.key.slice(lease.length)}`);
    });
  }

  /**
   * The token for `identity`: a shared one that `usable` accepts, else the result of `fetch`, run
   * by one process of the fleet at a time (this one, or another whose result is read). `shared`
   * tells which.
   */
  async get(
    identity: string,
    usable: (value: string, ttlMs: number) => boolean,
    fetch: () => Promise<SharedToken>,
  ): Promise<{ readonly value: string; readonly ttlMs: number; readonly shared: boolean }> {
    const key = stateKey(this.#token, identity);
    const leaseKey = stateKey(this.#lease, identity);
    const until = Date.now() + this.#leaseMs;
    for (let round = 0; ; round++) {
      const found = await this.#read(key, usable);
      if (found !== undefined) return { ...found, shared: true };
      const lease = await this.#guard.run(
        "acquireLease",
        (store) => store.acquireLease(leaseKey, this.#leaseMs),
        NOTHING,
      );
      if (lease === NOTHING) return { ...(await fetch()), shared: false }; // the store is not answering
      if (lease !== undefined) return this.#fetchUnder(lease, key, usable, fetch);
      // Another process is fetching: wait for its token, never past the lease.
      if (Date.now() >= until || round > 10_000) return { ...(await fetch()), shared: false };
      await this.#sleep(key, until);
    }
  }

  /** Removes the shared token for `identity` if `matches` it (the server refused that token). */
  async drop(identity: string, matches: (value: string) => boolean): Promise<void> {
    const key = stateKey(this.#token, identity);
    const found = await this.#read(key, matches);
    if (found !== undefined) await this.#guard.run("delete", (store) => store.delete(key), undefined);
  }

  async #fetchUnder(
    lease: StateLease,
    key: string,
    usable: (value: string, ttlMs: number) => boolean,
    fetch: () => Promise<SharedToken>,
  ): Promise<{ readonly value: string; readonly ttlMs: number; readonly shared: boolean }> {
    try {
      // The previous holder may have stored one between our read and our lease.
      const raced = await this.#read(key, usable);
      if (raced !== undefined) return { ...raced, shared: true };
      const mine = await fetch();
      const ttl = Math.floor(mine.ttlMs);
      if (ttl > 0) {
        const sealed = sealState(this.#sealKey, mine.value, key);
        await this.#guard.run("set", (store) => store.set(key, sealed, ttl), undefined);
      }
      return { ...mine, shared: false };
    } finally {
      void this.#guard.run("release", () => lease.release(), undefined);
    }
  }

  async #read(
    key: string,
    usable: (value: string, ttlMs: number) => boolean,
  ): Promise<{ value: string; ttlMs: number } | undefined> {
    const entry = await this.#guard.run("get", (store) => store.get(key), undefined);
    if (entry === undefined) return undefined;
    const value = openState(this.#sealKey, entry.value, key);
    if (value === undefined || !usable(value, entry.ttlMs)) return undefined;
    return { value, ttlMs: entry.ttlMs };
  }

  #sleep(key: string, until: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const set = this.#waiters.get(key) ?? new Set();
      this.#waiters.set(key, set);
      const wake = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0) this.#waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, Math.min(POLL_MS, Math.max(1, until - Date.now())));
      set.add(wake);
    });
  }
}
