import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { guardStateStore, InvalidOptionsError } from "@switchyard/core";
import { createPeerTempDir, type PeerTempDir } from "@switchyard/testkit/process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqliteStore } from "./sqlite-store.ts";

describe("sqliteStore", () => {
  let dir: PeerTempDir;
  let path: string;
  beforeEach(async () => {
    dir = await createPeerTempDir("sqlite-store");
    path = join(dir.path, "state.db");
  });
  afterEach(() => dir.remove());

  it("keeps state across a close and a reopen (a restart), expiry included", async () => {
    let t = 1_000_000;
    const first = sqliteStore({ path, now: () => t });
    await first.set("k", "v", 10_000);
    await first.extendDeadline("d", 500);
    await first.close();
    t += 1000;
    const second = sqliteStore({ path, now: () => t });
    expect(await second.get("k")).toEqual({ value: "v", ttlMs: 9000 });
    expect(await second.get("d")).toBeUndefined();
    await second.close();
  });

  it("uses WAL mode, so a reader never waits for a writer", async () => {
    const store = sqliteStore({ path });
    const db = new DatabaseSync(path);
    try {
      expect(db.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    } finally {
      db.close();
      await store.close();
    }
  });

  it("a write lock held by another process's connection: the write rejects after busyTimeoutMs, the guard falls back and recovers", async () => {
    const store = sqliteStore({ path, busyTimeoutMs: 20 });
    const events: Record<string, unknown>[] = [];
    const listener = (message: unknown): void => void events.push(message as Record<string, unknown>);
    subscribe("switchyard:core:state-store", listener);
    const blocker = new DatabaseSync(path);
    let t = 0;
    const guard = guardStateStore(store, { plugin: "test", now: () => t, random: () => 0 });
    try {
      blocker.exec("BEGIN IMMEDIATE");
      await expect(store.increment("n", 1, 60_000)).rejects.toMatchObject({
        code: "SWITCHYARD_ERR_STATE_STORE",
        message: expect.stringMatching(/locked|busy/i),
      });
      expect(await guard.run("increment", (s) => s.increment("n", 1, 60_000), -1)).toBe(-1);
      expect(events).toMatchObject([{ event: "failure", reason: "error", store: "sqlite" }]);
      // Reads go on under WAL while the writer holds its lock.
      expect(await store.get("n")).toBeUndefined();
      blocker.exec("COMMIT");
      t += 60_000;
      expect(await guard.run("increment", (s) => s.increment("n", 1, 60_000), -1)).toBe(1);
      expect(events.at(-1)).toMatchObject({ event: "recovered" });
    } finally {
      unsubscribe("switchyard:core:state-store", listener);
      if (blocker.isTransaction) blocker.exec("ROLLBACK");
      blocker.close();
      await store.close();
    }
  });

  it("sweeps expired rows and old change rows in bounded batches as writes go by", async () => {
    let t = 1_000_000;
    const store = sqliteStore({ path, now: () => t });
    for (let i = 0; i < 300; i++) await store.set(`old:${i}`, "x", 10);
    t += 120_000;
    for (let i = 0; i < 300; i++) await store.set(`new:${i}`, "x", 60_000);
    await store.close();
    const db = new DatabaseSync(path);
    try {
      const rows = db.prepare("SELECT count(*) AS n FROM switchyard_state WHERE key LIKE 'old:%'").get() as {
        n: number;
      };
      expect(rows.n).toBe(0);
      const changes = db
        .prepare("SELECT count(*) AS n FROM switchyard_changes WHERE key LIKE 'old:%'")
        .get() as { n: number };
      expect(changes.n).toBe(0);
    } finally {
      db.close();
    }
  });

  it("refuses bad options synchronously, naming the option and not a value", () => {
    expect(() => sqliteStore(undefined as never)).toThrow(InvalidOptionsError);
    expect(() => sqliteStore({ path: "" })).toThrow(/path/);
    expect(() => sqliteStore({ path, busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/);
    expect(() => sqliteStore({ path, pollMs: 0 })).toThrow(/pollMs/);
    expect(() => sqliteStore({ path: join(dir.path, "missing-dir", "x.db") })).toThrow(/cannot open/);
  });
});
