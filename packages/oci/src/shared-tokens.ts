import {
  guardStateStore,
  openState,
  type StateStore,
  type StateStoreGuard,
  sealState,
  stateKey,
} from "@switchyard/core";

/** A token and when it stops being used (epoch ms, this process's clock). */
export interface SharedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Options of {@link SharedTokens}. */
export interface SharedTokensOptions {
  readonly store: StateStore;
  /** The 32-byte key tokens are sealed with (AES-256-GCM) before they leave this process. */
  readonly sealKey: Uint8Array;
  readonly timeoutMs: number | undefined;
  /** How long a process may hold the exchange lease; others wait at most this long. */
  readonly leaseMs: number;
}

const TOKEN = "oci:token";
const LEASE = "oci:exchange";
const NOTHING = Symbol("nothing");

/**
 * One token exchange per scope per expiry for the whole fleet. Before exchanging, a process looks
 * in the shared store; if no token is there it takes the exchange lease for that key; the holder
 * exchanges and stores the token sealed (AES-256-GCM under the caller's key, bound to its key), and
 * the others, who found the lease taken, wait for the token's change notification (or the lease's
 * end) and read it. Keys hash the registry, realm, service, scope and whose credential; tokens
 * are never stored in the clear. A slow or dead store, a token that does not open, or a holder
 * that never delivers: this process exchanges for itself, as without a store.
 */
export class SharedTokens {
  readonly #guard: StateStoreGuard;
  readonly #sealKey: Uint8Array;
  readonly #leaseMs: number;
  readonly #waiters = new Map<string, Set<() => void>>();

  constructor(options: SharedTokensOptions) {
    this.#guard = guardStateStore(options.store, { plugin: "oci", timeoutMs: options.timeoutMs });
    this.#sealKey = options.sealKey;
    this.#leaseMs = options.leaseMs;
    this.#guard.subscribe(`${TOKEN}:`, (change) => {
      if (change.kind !== "set") return;
      const waiters = this.#waiters.get(change.key);
      if (waiters !== undefined) for (const wake of waiters) wake();
    });
  }

  /**
   * The token for `cacheKey`: a shared one if the fleet has it, else the result of `exchange`,
   * run by exactly one process of the fleet at a time (this one, or another whose result is read).
   * `fresh` skips the shared token (the registry refused it) and replaces it.
   */
  async get(cacheKey: string, fresh: boolean, exchange: () => Promise<SharedToken>): Promise<SharedToken> {
    const key = stateKey(TOKEN, cacheKey);
    if (fresh) await this.#guard.run("delete", (store) => store.delete(key), undefined);
    else {
      const found = await this.#read(key);
      if (found !== undefined) return found;
    }
    const lease = await this.#guard.run(
      "acquireLease",
      (store) => store.acquireLease(stateKey(LEASE, cacheKey), this.#leaseMs),
      NOTHING,
    );
    if (lease === NOTHING) return exchange(); // the store is not answering: on our own
    if (lease === undefined) {
      // Another process is exchanging: wait for its token, bounded by the lease.
      const theirs = await this.#await(key);
      if (theirs !== undefined) return theirs;
      return exchange();
    }
    try {
      // The previous holder may have stored it between our read and our lease.
      const raced = fresh ? undefined : await this.#read(key);
      if (raced !== undefined) return raced;
      const mine = await exchange();
      const ttl = Math.floor(mine.expiresAt - Date.now());
      if (ttl > 0) {
        const sealed = sealState(this.#sealKey, mine.token, key);
        await this.#guard.run("set", (store) => store.set(key, sealed, ttl), undefined);
      }
      return mine;
    } finally {
      void this.#guard.run("release", () => lease.release(), undefined);
    }
  }

  async #read(key: string): Promise<SharedToken | undefined> {
    const entry = await this.#guard.run("get", (store) => store.get(key), undefined);
    if (entry === undefined) return undefined;
    const token = openState(this.#sealKey, entry.value, key);
    return token === undefined ? undefined : { token, expiresAt: Date.now() + entry.ttlMs };
  }

  async #await(key: string): Promise<SharedToken | undefined> {
    const until = Date.now() + this.#leaseMs;
    while (Date.now() < until) {
      // Woken by the token's change notification, or every 250 ms to read anyway (a notification
      // may be lost), never past the lease.
      await new Promise<void>((resolve) => {
        const set = this.#waiters.get(key) ?? new Set();
        this.#waiters.set(key, set);
        const wake = (): void => {
          clearTimeout(timer);
          set.delete(wake);
          if (set.size === 0) this.#waiters.delete(key);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(250, Math.max(1, until - Date.now())));
        set.add(wake);
      });
      const found = await this.#read(key);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}
