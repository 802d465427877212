import type { DatabaseSync } from "node:sqlite";

/**
 * The tables: `state` holds entries with their absolute expiry (the machine's wall clock, epoch
 * milliseconds: every process on one machine reads the same clock, which is why a file shared by
 * processes on different machines, e.g. over NFS, is not supported); `changes` is the short log
 * other processes read to learn what changed (SQLite has no cross-process notification).
 */
export function createSchema(db: DatabaseSync, busyTimeoutMs: number): void {
  db.exec(`PRAGMA busy_timeout = ${Math.round(busyTimeoutMs)}`);
  // WAL: readers never block the writer nor the writer the readers; NORMAL sync is durable across
  // process crashes (an OS crash may lose the last transactions, acceptable for learned state).
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec(`
    CREATE TABLE IF NOT EXISTS switchyard_state (
      key TEXT PRIMARY KEY,
      value BLOB NOT NULL,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS switchyard_state_expiry ON switchyard_state (expires_at);
    CREATE TABLE IF NOT EXISTS switchyard_changes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL,
      kind TEXT NOT NULL,
      origin TEXT NOT NULL,
      at INTEGER NOT NULL
    );
  `);
}
