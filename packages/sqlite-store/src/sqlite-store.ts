import { randomUUID } from "node:crypto";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import {
  ChangeFanout,
  checkStateKey,
  checkStateStep,
  checkStateTtl,
  checkStateValue,
  InvalidOptionsError,
  type StateChange,
  type StateEntry,
  type StateLease,
  type StateStore,
  StateStoreError,
} from "@switchyard/core";
import { ChangePoller } from "./change-poller.ts";
import { loadSqlite } from "./load-sqlite.ts";
import { createSchema } from "./sqlite-schema.ts";

const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file, created if missing; every process that opens the same file shares its state. */
  readonly path: string;
  /**
   * How long an operation waits for another process's write lock, in milliseconds. `node:sqlite`
   * is synchronous, so this wait blocks the thread: keep it short. Writes hold the lock for
   * microseconds, so waits are rare and brief; past this the operation rejects (SQLITE_BUSY) and the
   * plugin's guard falls back to local state.
   * @default 250
   */
  readonly busyTimeoutMs?: number;
  /**
   * How often, in milliseconds, a store with subscribers checks `PRAGMA data_version` to learn that
   * another process wrote (one cheap call that reads no table; the changes are read only when it
   * moved). Only runs while someone subscribes.
   * @default 50
   */
  readonly pollMs?: number;
  /** The clock in epoch milliseconds (a seam for tests). @default Date.now */
  readonly now?: () => number;
}

const NAME = "sqlite";
/** Every this many writes, expired entries and old change rows are swept (bounded work). */
const SWEEP_EVERY = 256;
/** Change rows older than this are swept: subscribers poll far more often. */
const CHANGES_KEPT_MS = 60_000;

/**
 * A state store in one SQLite file through `node:sqlite` (no server, no native addon): every
 * process on the machine that opens the same `path` shares its state, which survives restarts.
 *
 * - Each operation is one transaction (`BEGIN IMMEDIATE` for writes: the write lock is taken
 *   before reading, so a read-decide-write is never interleaved with another process's).
 * - Time is the machine's wall clock (`Date.now()`), the one clock all its processes share.
 * - Expired entries are invisible at once and swept lazily, a bounded batch every 256 writes.
 * - SQLite has no cross-process notification: writes append to a small `switchyard_changes`
 *   table, and a store with subscribers polls `PRAGMA data_version` every `pollMs` to read it.
 *
 * @example
 * ```ts
 * import { sqliteStore } from "@switchyard/sqlite-store";
 * const stateStore = sqliteStore({ path: join(homedir(), ".cache", "my-cli", "state.db") });
 * const client = createClient({ middleware: [retryAfter({ stateStore })] });
 * ```
 */
export function sqliteStore(options: SqliteStoreOptions): StateStore {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError("sqliteStore() needs options: { path }");
  }
  if (typeof options.path !== "string" || options.path === "") {
    throw new InvalidOptionsError("sqliteStore(): path must be the database file's path");
  }
  const busyTimeoutMs = checkMs("busyTimeoutMs", options.busyTimeoutMs ?? 250);
  const pollMs = checkMs("pollMs", options.pollMs ?? 50);
  if (options.now !== undefined && typeof options.now !== "function") {
    throw new InvalidOptionsError("now must be a function returning epoch milliseconds");
  }
  const now = options.now ?? Date.now;
  const { DatabaseSync } = loadSqlite();
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(options.path);
    createSchema(db, busyTimeoutMs);
  } catch (cause) {
    throw new InvalidOptionsError(`sqliteStore(): cannot open the database file: ${describe(cause)}`, {
      cause,
    });
  }
  const origin = randomUUID();
  const statements = prepare(db);
  const fanout = new ChangeFanout();
  const poller = new ChangePoller(db, origin, pollMs, fanout);
  let closed = false;
  let writes = 0;

  /** Runs `body` in one transaction and answers a settled promise; SQLite errors become StateStoreError. */
  function transaction<T>(operation: string, write: boolean, body: (at: number) => T): Promise<T> {
    if (closed) return Promise.reject(new StateStoreError(NAME, operation, "the store is closed"));
    const changes: StateChange[] = [];
    try {
      db.exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
      let result: T;
      try {
        const at = now();
        pending = changes;
        result = body(at);
        if (write && ++writes % SWEEP_EVERY === 0) sweep(at);
        db.exec("COMMIT");
      } catch (error) {
        if (db.isTransaction) db.exec("ROLLBACK");
        throw error;
      } finally {
        pending = undefined;
      }
      for (const change of changes) fanout.emit(change);
      return Promise.resolve(result);
    } catch (error) {
      if (error instanceof StateStoreError) return Promise.reject(error);
      return Promise.reject(
        new StateStoreError(NAME, operation, describe(error), { cause: error, transient: true }),
      );
    }
  }

  let pending: StateChange[] | undefined;
  function changed(key: string, kind: "set" | "delete", at: number): void {
    statements.logChange.run(key, kind, origin, at);
    pending?.push({ key, kind });
  }

  // Values are stored as UTF-8 bytes (BLOB), not TEXT: Node 22's node:sqlite cuts a bound string at
  // its first NUL character, and a value is any string (the conformance suite plants a NUL).
  function live(key: string, at: number): { value: string; expires_at: number } | undefined {
    const row = statements.get.get(key, at) as { value: Uint8Array; expires_at: number } | undefined;
    return row === undefined ? undefined : { value: utf8.decode(row.value), expires_at: row.expires_at };
  }

  function put(key: string, value: string, expiresAt: number, at: number): void {
    statements.put.run(key, Buffer.from(value, "utf8"), expiresAt);
    changed(key, "set", at);
  }

  function sweep(at: number): void {
    statements.sweepState.run(at);
    statements.sweepChanges.run(at - CHANGES_KEPT_MS);
  }

  return {
    name: NAME,
    get(key): Promise<StateEntry | undefined> {
      return transaction("get", false, (at) => {
        checkStateKey(NAME, "get", key);
        const row = live(key, at);
        return row === undefined ? undefined : { value: row.value, ttlMs: row.expires_at - at };
      });
    },
    set(key, value, ttlMs): Promise<void> {
      return transaction("set", true, (at) => {
        checkStateKey(NAME, "set", key);
        checkStateValue(NAME, "set", value);
        put(key, value, at + checkStateTtl(NAME, "set", ttlMs), at);
      });
    },
    setIfAbsent(key, value, ttlMs): Promise<boolean> {
      return transaction("setIfAbsent", true, (at) => {
        checkStateKey(NAME, "setIfAbsent", key);
        checkStateValue(NAME, "setIfAbsent", value);
        const ttl = checkStateTtl(NAME, "setIfAbsent", ttlMs);
        if (live(key, at) !== undefined) return false;
        put(key, value, at + ttl, at);
        return true;
      });
    },
    delete(key): Promise<void> {
      return transaction("delete", true, (at) => {
        checkStateKey(NAME, "delete", key);
        // An expired row is removed too, but only a live one was there for readers to lose.
        const wasLive = live(key, at) !== undefined;
        statements.remove.run(key);
        if (wasLive) changed(key, "delete", at);
      });
    },
    extendDeadline(key, inMs): Promise<number> {
      return transaction("extendDeadline", true, (at) => {
        checkStateKey(NAME, "extendDeadline", key);
        const ttl = checkStateTtl(NAME, "extendDeadline", inMs);
        const row = live(key, at);
        if (row !== undefined && row.expires_at >= at + ttl) return row.expires_at - at;
        put(key, "", at + ttl, at);
        return ttl;
      });
    },
    increment(key, by, ttlMs): Promise<number> {
      return transaction("increment", true, (at) => {
        checkStateKey(NAME, "increment", key);
        checkStateStep(NAME, "increment", by);
        const ttl = checkStateTtl(NAME, "increment", ttlMs);
        const row = live(key, at);
        if (row !== undefined && !/^-?\d+$/.test(row.value)) {
          throw new StateStoreError(NAME, "increment", "the entry at this key is not a counter");
        }
        const next = (row === undefined ? 0 : Number(row.value)) + by;
        put(key, String(next), row === undefined ? at + ttl : row.expires_at, at);
        return next;
      });
    },
    acquireLease(key, ttlMs): Promise<StateLease | undefined> {
      return transaction("acquireLease", true, (at) => {
        checkStateKey(NAME, "acquireLease", key);
        const ttl = checkStateTtl(NAME, "acquireLease", ttlMs);
        if (live(key, at) !== undefined) return undefined;
        const token = randomUUID();
        put(key, token, at + ttl, at);
        return {
          key,
          release: (): Promise<void> =>
            closed
              ? Promise.resolve()
              : transaction("release", true, (now) => {
                  if (statements.release.run(key, Buffer.from(token, "utf8"), now).changes > 0) {
                    changed(key, "delete", now);
                  }
                }),
        };
      });
    },
    subscribe(prefix, listener): () => void {
      if (closed) throw new StateStoreError(NAME, "subscribe", "the store is closed");
      const stop = fanout.add(prefix, listener);
      poller.update();
      return () => {
        stop();
        poller.update();
      };
    },
    close(): Promise<void> {
      if (closed) return Promise.resolve();
      closed = true;
      poller.stop();
      fanout.clear();
      db.close();
      return Promise.resolve();
    },
  };
}

interface Statements {
  readonly get: StatementSync;
  readonly put: StatementSync;
  readonly remove: StatementSync;
  readonly release: StatementSync;
  readonly logChange: StatementSync;
  readonly sweepState: StatementSync;
  readonly sweepChanges: StatementSync;
}

function prepare(db: DatabaseSync): Statements {
  return {
    get: db.prepare("SELECT value, expires_at FROM switchyard_state WHERE key = ? AND expires_at > ?"),
    put: db.prepare(
      "INSERT INTO switchyard_state (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
    ),
    remove: db.prepare("DELETE FROM switchyard_state WHERE key = ?"),
    release: db.prepare("DELETE FROM switchyard_state WHERE key = ? AND value = ? AND expires_at > ?"),
    logChange: db.prepare("INSERT INTO switchyard_changes (key, kind, origin, at) VALUES (?, ?, ?, ?)"),
    sweepState: db.prepare(
      "DELETE FROM switchyard_state WHERE key IN (SELECT key FROM switchyard_state WHERE expires_at <= ? LIMIT 512)",
    ),
    sweepChanges: db.prepare(
      "DELETE FROM switchyard_changes WHERE id IN (SELECT id FROM switchyard_changes WHERE at < ? ORDER BY id LIMIT 2048)",
    ),
  };
}

function checkMs(name: string, value: number): number {
  if (typeof value !== "number" || !(value > 0) || value > 2_147_483_647) {
    throw new InvalidOptionsError(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function describe(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { errstr, message } = error as { errstr?: unknown; message?: unknown };
  return typeof errstr === "string" ? errstr : String(message);
}
