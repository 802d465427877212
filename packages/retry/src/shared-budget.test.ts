import diagnosticsChannel from "node:diagnostics_channel";
import { memoryStateStore, type StateStore, stateKey } from "@switchyard/core";
import { recordingStateStore } from "@switchyard/testkit/state-store";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RetryBudget } from "./retry-budget.ts";
import { REFILL_BATCH_MS } from "./shared-budget.ts";

// Fake timers (performance.now and Date.now included): each step of the background sync is
// driven by advancing the clock, so nothing here depends on how fast the machine is.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const KEY = stateKey("retry:budget", "default");
const settle = async (ms = 0): Promise<void> => {
  await vi.advanceTimersByTimeAsync(ms);
};

async function debt(store: StateStore, key = KEY): Promise<number | undefined> {
  const entry = await store.get(key);
  return entry === undefined ? undefined : Number(entry.value);
}

describe("RetryBudget with a stateStore", () => {
  it("a full bucket sends nothing: successes without retries never touch the store", async () => {
    const store = recordingStateStore(memoryStateStore());
    const budget = new RetryBudget({ stateStore: store });
    for (let i = 0; i < 1000; i++) budget.release(undefined);
    await settle(10 * REFILL_BATCH_MS);
    expect(store.calls).toEqual([]);
    expect(budget.shared).toBe(true);
  });

  it("spends of one tick reach the store at once, in one increment, under a hashed key", async () => {
    const store = recordingStateStore(memoryStateStore());
    const budget = new RetryBudget({ stateStore: store, capacity: 100 });
    expect([budget.acquire(false), budget.acquire(false), budget.acquire(true)]).toEqual([5, 5, 10]);
    await settle();
    expect(store.calls.filter((c) => c.startsWith("increment"))).toEqual([`increment ${KEY}`]);
    // (Its own change comes back by notification too: at most a read of the same key follows.)
    expect(store.calls.every((c) => c.endsWith(KEY))).toBe(true);
    expect(KEY).toMatch(/^retry:budget:[A-Za-z0-9_-]{22}$/);
    expect(await debt(store)).toBe(20);
    expect(budget.available).toBe(80);
  });

  it("two processes' budgets on one store are one budget: what one spends, the other cannot", async () => {
    const store = memoryStateStore();
    const a = new RetryBudget({ stateStore: store, capacity: 20 });
    const b = new RetryBudget({ stateStore: store, capacity: 20 });
    for (let i = 0; i < 4; i++) expect(a.acquire(false)).toBe(5);
    await settle(200);
    expect(b.available).toBe(0);
    expect(b.acquire(false)).toBeUndefined();
  });

  it("refills are summed and sent once per batch; the other process hears them", async () => {
    const store = recordingStateStore(memoryStateStore());
    const a = new RetryBudget({ stateStore: store, capacity: 20 });
    const b = new RetryBudget({ stateStore: store, capacity: 20 });
    a.acquire(false);
    a.acquire(false);
    await settle(200);
    expect(b.available).toBe(10);
    const before = store.calls.filter((c) => c.startsWith("increment")).length;
    for (let i = 0; i < 6; i++) a.release(undefined);
    await settle(REFILL_BATCH_MS - 1);
    expect(store.calls.filter((c) => c.startsWith("increment"))).toHaveLength(before);
    await settle(200);
    expect(store.calls.filter((c) => c.startsWith("increment"))).toHaveLength(before + 1);
    expect(await debt(store)).toBe(4);
    expect([a.available, b.available]).toEqual([16, 16]);
  });

  it("refills racing past a full bucket are taken back: the shared debt settles at 0, not below", async () => {
    const store = memoryStateStore();
    const a = new RetryBudget({ stateStore: store, capacity: 20 });
    const b = new RetryBudget({ stateStore: store, capacity: 20 });
    a.acquire(false);
    await settle(200);
    expect(b.available).toBe(15);
    // Both pay the same 5 tokens back before hearing of the other's refill.
    a.release(5);
    b.release(5);
    await settle(REFILL_BATCH_MS + 500);
    expect(await debt(store)).toBe(0);
    expect([a.available, b.available]).toEqual([20, 20]);
    // And the next spend counts from 0.
    b.acquire(false);
    await settle(200);
    expect(await debt(store)).toBe(5);
    expect(a.available).toBe(15);
  });

  it("a refused retry asks the store again: a fleet debt that ended its window is a full bucket", async () => {
    const store = memoryStateStore();
    const a = new RetryBudget({ stateStore: store, capacity: 10, sharedWindowMs: 60_000 });
    a.acquire(false);
    a.acquire(false);
    await settle();
    expect(a.acquire(false)).toBeUndefined();
    await store.delete(KEY); // as the window's end would
    await settle(200);
    expect(a.available).toBe(10);
    expect(a.acquire(false)).toBe(5);
  });

  it("budgets with other names do not share", async () => {
    const store = memoryStateStore();
    const a = new RetryBudget({ stateStore: store, capacity: 10, name: "uploads" });
    const b = new RetryBudget({ stateStore: store, capacity: 10, name: "downloads" });
    a.acquire(false);
    a.acquire(false);
    await settle(200);
    expect([a.available, b.available]).toEqual([0, 10]);
    expect(await debt(store, stateKey("retry:budget", "uploads"))).toBe(10);
  });

  it("a store that fails leaves the budget local: decisions go on, an event says why, nothing throws", async () => {
    const store = recordingStateStore(memoryStateStore());
    store.failing = true;
    const events: Record<string, unknown>[] = [];
    const listener = (m: unknown): void => void events.push(m as Record<string, unknown>);
    diagnosticsChannel.subscribe("switchyard:core:state-store", listener);
    try {
      const budget = new RetryBudget({ stateStore: store, capacity: 10 });
      expect(budget.acquire(false)).toBe(5);
      await settle();
      expect(budget.acquire(false)).toBe(5);
      expect(budget.acquire(false)).toBeUndefined();
      budget.release(5);
      await settle(REFILL_BATCH_MS + 100);
      expect(budget.available).toBe(5);
      expect(events).toContainEqual(
        expect.objectContaining({ event: "failure", plugin: "retry", reason: "error" }),
      );
    } finally {
      diagnosticsChannel.unsubscribe("switchyard:core:state-store", listener);
    }
  });

  it("a store that never answers costs no decision a wait", async () => {
    const inner = memoryStateStore();
    const never = new Promise<never>(() => {});
    const hung: StateStore = { ...inner, increment: () => never, get: () => never };
    const budget = new RetryBudget({ stateStore: hung, capacity: 10, stateStoreTimeoutMs: 20 });
    expect(budget.acquire(false)).toBe(5);
    await settle(100);
    expect(budget.acquire(false)).toBe(5);
    expect(budget.available).toBe(0);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["a store that is not one", { stateStore: {} }, /StateStore/],
    ["a name that is not a string", { stateStore: memoryStateStore(), name: 7 }, /name/],
    ["a window of 0", { stateStore: memoryStateStore(), sharedWindowMs: 0 }, /sharedWindowMs/],
    ["a fractional window", { stateStore: memoryStateStore(), sharedWindowMs: 1.5 }, /sharedWindowMs/],
    ["a bad store timeout", { stateStore: memoryStateStore(), stateStoreTimeoutMs: -1 }, /timeoutMs/],
  ])("refuses %s", (_name, options, message) => {
    expect(() => new RetryBudget(options as never)).toThrow(message);
  });
});
