import { describe, expect, it } from "vitest";
import { Context, contextKey } from "./context.ts";

describe("Context", () => {
  const keys = Array.from({ length: 9 }, (_, i) => contextKey<number>(`test:k${i}`));

  it("stores, replaces, finds and lists values, past the room it is made with", () => {
    const context = new Context();
    expect(context.get(keys[0]!)).toBeUndefined();
    expect(context.keys()).toEqual([]);
    for (const [i, key] of keys.entries()) context.set(key, i);
    for (const [i, key] of keys.entries()) expect(context.get(key)).toBe(i);
    context.set(keys[3]!, 30);
    expect(context.get(keys[3]!)).toBe(30);
    expect(context.keys()).toEqual(keys.map((k) => k.name));
  });

  it("keeps two keys with the same name apart, and an undefined value is still held", () => {
    const a = contextKey<string | undefined>("same");
    const b = contextKey<string | undefined>("same");
    const context = new Context().set(a, "a").set(b, undefined);
    expect(context.get(a)).toBe("a");
    expect(context.has(b)).toBe(true);
    expect(context.get(b)).toBeUndefined();
  });

  it("deletes from the middle, the end and a full store, and reuses the room", () => {
    const context = new Context();
    for (const [i, key] of keys.slice(0, 4).entries()) context.set(key, i);
    expect(context.delete(keys[1]!)).toBe(true);
    expect(context.delete(keys[1]!)).toBe(false);
    expect(context.has(keys[1]!)).toBe(false);
    expect(context.keys()).toEqual(["test:k0", "test:k2", "test:k3"]);
    expect(context.delete(keys[3]!)).toBe(true);
    context.set(keys[5]!, 5).set(keys[6]!, 6).set(keys[7]!, 7);
    expect(context.keys()).toEqual(["test:k0", "test:k2", "test:k5", "test:k6", "test:k7"]);
    expect([0, 2, 5, 6, 7].map((i) => context.get(keys[i]!))).toEqual([0, 2, 5, 6, 7]);
    for (const i of [0, 2, 5, 6, 7]) expect(context.delete(keys[i]!)).toBe(true);
    expect(context.keys()).toEqual([]);
    expect(context.get(keys[0]!)).toBeUndefined();
  });
});
