import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { ChangeFanout } from "@switchyard/core";

/** Most change rows read per poll; a longer backlog is read over the next polls. */
const BATCH = 1000;

/**
 * Delivers other processes' writes to this store's subscribers. SQLite cannot notify another
 * process, so while anyone subscribes this polls `PRAGMA data_version` (answered from the
 * connection's own state, no table read; it moves only when another connection committed) and,
 * when it moved, reads the new rows of `switchyard_changes` not written by this store. Its own
 * writes are delivered directly after each commit.
 */
export class ChangePoller {
  readonly #origin: string;
  readonly #pollMs: number;
  readonly #fanout: ChangeFanout;
  readonly #version: StatementSync;
  readonly #read: StatementSync;
  readonly #last: StatementSync;
  #timer: NodeJS.Timeout | undefined;
  #lastId = 0;
  #dataVersion = -1;

  constructor(db: DatabaseSync, origin: string, pollMs: number, fanout: ChangeFanout) {
    this.#origin = origin;
    this.#pollMs = pollMs;
    this.#fanout = fanout;
    this.#version = db.prepare("PRAGMA data_version");
    this.#read = db.prepare(
      `SELECT id, key, kind, origin FROM switchyard_changes WHERE id > ? ORDER BY id LIMIT ${BATCH}`,
    );
    this.#last = db.prepare("SELECT coalesce(max(id), 0) AS id FROM switchyard_changes");
  }

  /** Starts polling when there are subscribers and stops when there are none. */
  update(): void {
    if (this.#fanout.size > 0 && this.#timer === undefined) {
      // Only changes after the first subscription are delivered.
      this.#lastId = Number((this.#last.get() as { id: number | bigint }).id);
      this.#dataVersion = this.#readVersion();
      this.#timer = setInterval(() => this.#poll(), this.#pollMs);
      this.#timer.unref();
    } else if (this.#fanout.size === 0) {
      this.stop();
    }
  }

  /** Stops polling. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #readVersion(): number {
    return Number((this.#version.get() as { data_version: number | bigint }).data_version);
  }

  #poll(): void {
    try {
      const version = this.#readVersion();
      if (version === this.#dataVersion) return;
      const rows = this.#read.all(this.#lastId) as {
        id: number;
        key: string;
        kind: string;
        origin: string;
      }[];
      // Keep the version unchanged while a backlog remains, so the next poll reads on.
      if (rows.length < BATCH) this.#dataVersion = version;
      for (const row of rows) {
        this.#lastId = Number(row.id);
        if (row.origin === this.#origin) continue;
        this.#fanout.emit({ key: row.key, kind: row.kind === "delete" ? "delete" : "set" });
      }
    } catch {
      // Busy or closed mid-poll: the next poll tries again (delivery may lag, never throws).
    }
  }
}
