import { describe, expect, it } from "vitest";
import { memoryStateStore } from "./memory-state-store.ts";
import type { StateChange } from "./state-store.ts";
import { StateStoreError } from "./state-store-error.ts";

function clock(start = 1000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("memoryStateStore", () => {
  it("expires an entry exactly at its TTL by its own clock", async () => {
    const c = clock();
    const store = memoryStateStore({ now: c.now });
    await store.set("a:1", "v", 100);
    c.advance(99);
    expect(await store.get("a:1")).toEqual({ value: "v", ttlMs: 1 });
    c.advance(1);
    expect(await store.get("a:1")).toBeUndefined();
    expect(await store.setIfAbsent("a:1", "w", 10)).toBe(true);
  });

  it("keeps the later deadline and answers the time left", async () => {
    const c = clock();
    const store = memoryStateStore({ now: c.now });
    expect(await store.extendDeadline("d", 500)).toBe(500);
    c.advance(100);
    expect(await store.extendDeadline("d", 200)).toBe(400);
    expect(await store.extendDeadline("d", 1000)).toBe(1000);
    c.advance(1000);
    expect(await store.get("d")).toBeUndefined();
  });

  it("counts in a fixed window that later increments do not move", async () => {
    const c = clock();
    const store = memoryStateStore({ now: c.now });
    expect(await store.increment("n", 1, 100)).toBe(1);
    c.advance(60);
    expect(await store.increment("n", 5, 100)).toBe(6);
    c.advance(40);
    expect(await store.increment("n", 1, 100)).toBe(1);
    await store.set("s", "text", 100);
    await expect(store.increment("s", 1, 100)).rejects.toBeInstanceOf(StateStoreError);
  });

  it("holds a lease exclusively until released or expired; a stale release does nothing", async () => {
    const c = clock();
    const store = memoryStateStore({ now: c.now });
    const first = await store.acquireLease("l", 100);
    expect(first?.key).toBe("l");
    expect(await store.acquireLease("l", 100)).toBeUndefined();
    c.advance(100);
    const second = await store.acquireLease("l", 100);
    expect(second).toBeDefined();
    await first?.release();
    expect(await store.acquireLease("l", 100)).toBeUndefined();
    await second?.release();
    expect(await store.acquireLease("l", 100)).toBeDefined();
  });

  it("stays at its bound, dropping expired entries first, then the oldest written (announced)", async () => {
    const c = clock();
    const store = memoryStateStore({ now: c.now, maxEntries: 3 });
    const changes: StateChange[] = [];
    store.subscribe("", (change) => changes.push(change));
    await store.set("old", "1", 10);
    await store.set("b", "2", 1000);
    await store.set("c", "3", 1000);
    c.advance(10);
    await store.set("d", "4", 1000); // "old" expired: dropped without a delete announcement
    await store.set("e", "5", 1000); // full of live entries: "b" goes
    await flush();
    expect(await store.get("b")).toBeUndefined();
    expect((await Promise.all(["c", "d", "e"].map((k) => store.get(k)))).map((e) => e?.value)).toEqual([
      "3",
      "4",
      "5",
    ]);
    expect(changes.filter((change) => change.kind === "delete")).toEqual([{ key: "b", kind: "delete" }]);
  });

  it("two hundred thousand distinct keys leave it at its bound", async () => {
    const store = memoryStateStore({ maxEntries: 1000 });
    for (let i = 0; i < 200_000; i++) await store.set(`k:${i}`, "", 60_000);
    expect(await store.get("k:198999")).toBeUndefined();
    expect(await store.get("k:199000")).toBeDefined();
    let live = 0;
    for (let i = 199_000; i < 200_000; i++) if (await store.get(`k:${i}`)) live++;
    expect(live).toBe(1000);
  });

  it("announces writes and removals to matching prefixes after the write, never during it", async () => {
    const store = memoryStateStore();
    const seen: StateChange[] = [];
    const stop = store.subscribe("p:", (change) => seen.push(change));
    const writing = store.set("p:1", "x", 100);
    expect(seen).toEqual([]);
    await writing;
    await store.set("q:1", "x", 100);
    await flush();
    await store.delete("p:1");
    await store.delete("p:absent");
    await flush();
    expect(seen).toEqual([
      { key: "p:1", kind: "set" },
      { key: "p:1", kind: "delete" },
    ]);
    stop();
    await store.set("p:2", "x", 100);
    await flush();
    expect(seen).toHaveLength(2);
  });

  it("refuses bad TTLs, keys and steps with StateStoreError, and everything after close", async () => {
    const store = memoryStateStore();
    await expect(store.set("k", "v", 0)).rejects.toMatchObject({ code: "SWITCHYARD_ERR_STATE_STORE" });
    await expect(store.set("k", "v", Number.NaN)).rejects.toBeInstanceOf(StateStoreError);
    await expect(store.set("", "v", 10)).rejects.toBeInstanceOf(StateStoreError);
    await expect(store.increment("k", 0.5, 10)).rejects.toBeInstanceOf(StateStoreError);
    await store.close();
    await expect(store.get("k")).rejects.toThrow(/closed/);
    expect(() => store.subscribe("", () => {})).toThrow(StateStoreError);
  });

  it("refuses bad options synchronously", () => {
    expect(() => memoryStateStore({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => memoryStateStore({ now: 5 as never })).toThrow(/now/);
  });
});
