import { text } from "node:stream/consumers";
import { InvalidOptionsError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { memoryStore } from "./memory-store.ts";
import { collectEvents } from "./test-helpers.ts";

async function put(store: ReturnType<typeof memoryStore>, key: string, body: string) {
  const writer = store.writer(key);
  writer.write(Buffer.from(body));
  return writer.commit("{}");
}

describe("memoryStore", () => {
  it("reads back what it stored, checked against its sha256", async () => {
    const store = memoryStore();
    const entry = (await put(store, "cache:v1:a", "hello"))!;
    expect(entry.integrity).toMatch(/^sha256-/);
    expect(await text(await store.read(entry))).toBe("hello");
  });

  it("evicts the least recently used entries past maxSize, with an event", async () => {
    const store = memoryStore({ maxSize: 30 });
    const { events } = await collectEvents(async () => {
      await put(store, "cache:v1:one", "1".repeat(12));
      await put(store, "cache:v1:two", "2".repeat(12));
      await store.get("cache:v1:one");
      await put(store, "cache:v1:three", "3".repeat(12));
    });
    expect(await store.get("cache:v1:two")).toBeUndefined();
    expect(await store.get("cache:v1:one")).toBeDefined();
    expect(events).toEqual([["evicted", { key: "cache:v1:two", reason: "lru", size: 12, store: "memory" }]]);
  });

  it("declines a body larger than maxSize", async () => {
    expect(await put(memoryStore({ maxSize: 4 }), "cache:v1:big", "too large")).toBeUndefined();
  });

  it("stores nothing for an aborted write", async () => {
    const store = memoryStore();
    const writer = store.writer("cache:v1:x");
    writer.write(Buffer.from("partial"));
    await writer.abort();
    expect(await store.get("cache:v1:x")).toBeUndefined();
  });

  it("refuses a bad maxSize at once", () => {
    expect(() => memoryStore({ maxSize: 0 })).toThrow(InvalidOptionsError);
  });
});
