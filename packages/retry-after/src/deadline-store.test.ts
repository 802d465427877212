import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_CAPACITY, DeadlineStore } from "./deadline-store.ts";

describe("DeadlineStore", () => {
  it("returns a future deadline and drops an expired one when read", () => {
    const store = new DeadlineStore();
    store.set("a", 2000, 1000);
    expect(store.get("a", 1500)).toBe(2000);
    expect(store.get("a", 2000)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it("ignores deadlines at or before now", () => {
    const store = new DeadlineStore();
    store.set("a", 1000, 1000);
    store.set("b", 999, 1000);
    store.set("c", Number.NaN, 1000);
    expect(store.size).toBe(0);
  });

  it("keeps the later of two deadlines for one target", () => {
    const store = new DeadlineStore();
    store.set("a", 5000, 0);
    store.set("a", 3000, 0);
    expect(store.get("a", 0)).toBe(5000);
    store.set("a", 9000, 0);
    expect(store.get("a", 0)).toBe(9000);
  });

  it("evicts the least recently used target at capacity", () => {
    const store = new DeadlineStore({ capacity: 3 });
    store.set("a", 10_000, 0);
    store.set("b", 10_000, 0);
    store.set("c", 10_000, 0);
    store.get("a", 0); // a is now the most recently used
    store.set("d", 10_000, 0);
    expect(store.get("b", 0)).toBeUndefined();
    expect(store.get("a", 0)).toBe(10_000);
    expect(store.get("c", 0)).toBe(10_000);
    expect(store.get("d", 0)).toBe(10_000);
  });

  it("evicts an expired target before a live one", () => {
    const store = new DeadlineStore({ capacity: 3 });
    store.set("a", 10_000, 0);
    store.set("b", 500, 0);
    store.set("c", 10_000, 0);
    store.set("d", 10_000, 1000);
    expect(store.get("a", 1000)).toBe(10_000);
    expect(store.get("c", 1000)).toBe(10_000);
    expect(store.get("d", 1000)).toBe(10_000);
    expect(store.size).toBe(3);
  });

  it("stays at its bound with a million distinct targets", () => {
    const store = new DeadlineStore();
    expect(store.capacity).toBe(DEFAULT_CAPACITY);
    for (let i = 0; i < 1_000_000; i++) store.set(`https://host-${i}.example:443`, 60_000, 0);
    expect(store.size).toBe(DEFAULT_CAPACITY);
    // The survivors are the most recent ones.
    expect(store.get("https://host-999999.example:443", 0)).toBe(60_000);
    expect(store.get("https://host-0.example:443", 0)).toBeUndefined();
  });

  it("never exceeds its capacity, whatever the operations", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.tuple(fc.constantFrom("set", "get", "delete"), fc.nat(40), fc.nat(100), fc.nat(100))),
        (capacity, ops) => {
          const store = new DeadlineStore({ capacity });
          for (const [op, key, deadline, now] of ops) {
            if (op === "set") store.set(String(key), deadline, now);
            else if (op === "get") store.get(String(key), now);
            else store.delete(String(key));
            if (store.size > capacity) return false;
          }
          return true;
        },
      ),
    );
  });

  it("behaves like a plain list model of its rules, whatever the operations", () => {
    // The rules, spelled out on an array ordered least recently used first: get drops an expired
    // deadline and otherwise marks a use; set keeps the later deadline and marks a use; a new key
    // at capacity evicts the first expired entry among the oldest eight, else the oldest.
    const model = (capacity: number) => {
      let list: [string, number][] = [];
      const find = (key: string) => list.findIndex(([k]) => k === key);
      return {
        get(key: string, now: number): number | undefined {
          const i = find(key);
          if (i === -1) return undefined;
          const [entry] = list.splice(i, 1) as [[string, number]];
          if (entry[1] <= now) return undefined;
          list.push(entry);
          return entry[1];
        },
        set(key: string, deadline: number, now: number): void {
          if (!(deadline > now)) return;
          const i = find(key);
          if (i !== -1) {
            const [[, previous]] = list.splice(i, 1) as [[string, number]];
            deadline = Math.max(previous, deadline);
          } else if (list.length >= capacity) {
            const expired = list.slice(0, 8).findIndex(([, d]) => d <= now);
            list.splice(expired === -1 ? 0 : expired, 1);
          }
          list.push([key, deadline]);
        },
        delete(key: string): void {
          list = list.filter(([k]) => k !== key);
        },
        keys: () => list.map(([k]) => k).sort(),
      };
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        // size "max": fast-check otherwise keeps arrays short, and the store would rarely fill.
        fc.array(
          fc.tuple(
            fc.constantFrom("set", "set", "set", "get", "delete", "clear"),
            fc.nat(16),
            fc.nat(60),
            fc.nat(50),
          ),
          { minLength: 20, maxLength: 120, size: "max" },
        ),
        (capacity, ops) => {
          const store = new DeadlineStore({ capacity });
          let expected = model(capacity);
          for (const [op, k, deadline, now] of ops) {
            const key = String(k);
            if (op === "set") {
              store.set(key, deadline, now);
              expected.set(key, deadline, now);
            } else if (op === "get") {
              expect(store.get(key, now)).toBe(expected.get(key, now));
            } else if (op === "delete") {
              store.delete(key);
              expected.delete(key);
            } else {
              store.clear();
              expected = model(capacity);
            }
            expect(store.size).toBe(expected.keys().length);
          }
          // Every remembered key reads back as the model says (reading at 0 keeps all live ones).
          for (const key of expected.keys()) expect(store.get(key, 0)).toBe(expected.get(key, 0));
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([[0], [-1], [1.5], [Number.NaN]])("refuses capacity %j", (capacity) => {
    expect(() => new DeadlineStore({ capacity })).toThrow(/capacity must be an integer >= 1/);
  });
});
