import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryStateStore } from "./memory-state-store.ts";
import type { StateStore } from "./state-store.ts";
import { guardStateStore } from "./state-store-guard.ts";

type Mode = "ok" | "hang" | "throw";

/** A memory store whose operations can be made to hang or fail: the guard's subject. */
function switchable(): { store: StateStore; mode: Mode; calls: number } {
  const inner = memoryStateStore();
  const state = { mode: "ok" as Mode, calls: 0, store: undefined as unknown as StateStore };
  state.store = {
    ...inner,
    name: "switchable",
    get(key) {
      state.calls++;
      if (state.mode === "hang") return new Promise(() => {});
      if (state.mode === "throw")
        return Promise.reject(Object.assign(new Error("redis://:pw@h down"), { code: "ECONNREFUSED" }));
      return inner.get(key);
    },
  };
  return state;
}

describe("guardStateStore", () => {
  const events: Record<string, unknown>[] = [];
  const listener = (message: unknown): void => void events.push(message as Record<string, unknown>);
  beforeEach(() => subscribe("switchyard:core:state-store", listener));
  afterEach(() => {
    unsubscribe("switchyard:core:state-store", listener);
    events.length = 0;
  });

  it("answers the store's value when it answers in time", async () => {
    const s = switchable();
    await s.store.set("k", "v", 1000);
    const guard = guardStateStore(s.store, { plugin: "test" });
    expect(await guard.run("get", (store) => store.get("k"), undefined)).toEqual({
      value: "v",
      ttlMs: expect.any(Number),
    });
    expect(events).toEqual([]);
  });

  it("answers the fallback after the bounded wait when the store hangs, and opens the circuit", async () => {
    const s = switchable();
    s.mode = "hang";
    let t = 0;
    const guard = guardStateStore(s.store, {
      plugin: "test",
      timeoutMs: 20,
      backoffMs: 1000,
      now: () => t,
      random: () => 0.5,
    });
    expect(await guard.run("get", (store) => store.get("k"), "local")).toBe("local");
    expect(guard.isOpen).toBe(true);
    expect(events).toEqual([
      {
        event: "failure",
        plugin: "test",
        store: "switchable",
        operation: "get",
        reason: "timeout",
        error: undefined,
        retryInMs: 750,
      },
    ]);
    // Open: the store is not asked at all.
    expect(await guard.run("get", (store) => store.get("k"), "local")).toBe("local");
    expect(s.calls).toBe(1);
    // After the jittered back-off one trial goes through; the store answers, the circuit closes.
    s.mode = "ok";
    t = 750;
    expect(await guard.run("get", (store) => store.get("k"), "local")).toBeUndefined();
    expect(guard.isOpen).toBe(false);
    expect(events.at(-1)).toEqual({
      event: "recovered",
      plugin: "test",
      store: "switchable",
      operation: "get",
      downMs: 750,
    });
  });

  it("doubles the open time on each failed trial, jittered down to half, up to the cap", async () => {
    const s = switchable();
    s.mode = "throw";
    let t = 0;
    const randoms = [0, 0.999, 0, 0];
    const guard = guardStateStore(s.store, {
      plugin: "test",
      backoffMs: 100,
      maxBackoffMs: 300,
      now: () => t,
      random: () => randoms.shift() ?? 0,
    });
    const waits: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      await guard.run("get", (store) => store.get("k"), null);
      const last = events.at(-1) as { retryInMs: number };
      waits.push(last.retryInMs);
      t += last.retryInMs;
    }
    expect(waits).toEqual([50, 200, 150, 150]);
    expect(s.calls).toBe(4);
  });

  it("reports an error by name and code only: no message, no secret", async () => {
    const s = switchable();
    s.mode = "throw";
    const guard = guardStateStore(s.store, { plugin: "test" });
    expect(await guard.run("get", (store) => store.get("k"), 7)).toBe(7);
    expect(events[0]).toMatchObject({ reason: "error", error: { name: "Error", code: "ECONNREFUSED" } });
    expect(JSON.stringify(events)).not.toContain("pw");
  });

  it("lets only one trial through while half-open", async () => {
    const s = switchable();
    s.mode = "throw";
    let t = 0;
    const guard = guardStateStore(s.store, { plugin: "test", timeoutMs: 20, now: () => t, random: () => 0 });
    await guard.run("get", (store) => store.get("k"), null);
    t = 10_000;
    s.mode = "hang";
    const trial = guard.run("get", (store) => store.get("k"), "a");
    expect(await guard.run("get", (store) => store.get("k"), "b")).toBe("b");
    expect(await trial).toBe("a");
    expect(s.calls).toBe(2);
  });

  it("turns a synchronous throw into the fallback", async () => {
    const guard = guardStateStore(memoryStateStore(), { plugin: "test" });
    expect(
      await guard.run(
        "get",
        () => {
          throw new Error("boom");
        },
        "f",
      ),
    ).toBe("f");
  });

  it("refuses a non-store and bad durations synchronously", () => {
    expect(() => guardStateStore({} as StateStore, { plugin: "x" })).toThrow(/StateStore/);
    expect(() => guardStateStore(memoryStateStore(), { plugin: "x", timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
