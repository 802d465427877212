import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { InvalidOptionsError } from "@switchyard/core";
import cacache from "cacache";
import { afterEach, describe, expect, it } from "vitest";
import type { CacheStore } from "./cache-store.ts";
import { diskStore } from "./disk-store.ts";
import { CacheIntegrityError } from "./errors.ts";
import { collectEvents } from "./test-helpers.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sy-cache-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function put(store: CacheStore, key: string, body: string, metadata = "{}") {
  const writer = store.writer(key);
  for (const part of body.match(/.{1,3}/gs) ?? []) writer.write(Buffer.from(part));
  return writer.commit(metadata);
}

describe("diskStore", () => {
  it("stores a body cacache itself reads back and verifies", async () => {
    const dir = tempDir();
    const store = diskStore({ dir });
    const entry = await put(store, "cache:v1:a", "hello, disk");
    expect(entry).toMatchObject({ key: "cache:v1:a", size: 11 });
    expect(entry?.integrity).toMatch(/^sha256-/);
    const viaCacache = await cacache.get(dir, "cache:v1:a");
    expect(viaCacache.data.toString()).toBe("hello, disk");
    expect(viaCacache.integrity).toBe(entry?.integrity);
    expect(await store.get("cache:v1:a")).toEqual(entry);
    expect(await text(await store.read(entry!))).toBe("hello, disk");
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  });

  it("leaves nothing behind when a write is aborted", async () => {
    const dir = tempDir();
    const store = diskStore({ dir });
    const writer = store.writer("cache:v1:b");
    writer.write(Buffer.alloc(100_000, 1));
    await writer.drain();
    await writer.abort();
    expect(await store.get("cache:v1:b")).toBeUndefined();
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
    expect(await cacache.ls(dir)).toEqual({});
  });

  it("turns a corrupt small body into CacheIntegrityError before any byte, and evicts it", async () => {
    const dir = tempDir();
    const store = diskStore({ dir });
    const entry = (await put(store, "cache:v1:c", "original"))!;
    const path = (await cacache.get.info(dir, "cache:v1:c"))!.path;
    writeFileSync(path, "ORIGINAL");
    const { result, events } = await collectEvents(() => store.read(entry).catch((e: unknown) => e));
    expect(result).toBeInstanceOf(CacheIntegrityError);
    expect(events.map(([name, e]) => [name, (e as { reason: string }).reason])).toContainEqual([
      "evicted",
      "corrupt",
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    await expect.poll(() => store.get("cache:v1:c")).toBeUndefined();
  });

  it("fails a corrupt large body's stream with CacheIntegrityError before its end", async () => {
    const dir = tempDir();
    const store = diskStore({ dir, verifyBeforeServe: 4 });
    const entry = (await put(store, "cache:v1:d", "0123456789"))!;
    const path = (await cacache.get.info(dir, "cache:v1:d"))!.path;
    writeFileSync(path, "0123456780");
    const stream = await store.read(entry);
    await expect(text(stream)).rejects.toBeInstanceOf(CacheIntegrityError);
    const truncated = (await put(store, "cache:v1:e", "abcdefghij"))!;
    writeFileSync((await cacache.get.info(dir, "cache:v1:e"))!.path, "abc");
    await expect(store.read(truncated)).rejects.toBeInstanceOf(CacheIntegrityError);
  });

  it("keeps the stored bodies under maxSize by evicting the least recent first", async () => {
    const dir = tempDir();
    const store = diskStore({ dir, maxSize: 25 });
    const { events } = await collectEvents(async () => {
      for (const name of ["one", "two", "three"]) {
        await put(store, `cache:v1:${name}`, name.padEnd(10, "."));
        await store.close();
      }
    });
    expect(await store.get("cache:v1:one")).toBeUndefined();
    expect(await store.get("cache:v1:three")).toBeDefined();
    expect(
      events.filter(([name]) => name === "evicted").map(([, e]) => (e as { reason: string }).reason),
    ).toEqual(["lru"]);
  });

  it("declines a body larger than maxSize without keeping any of it", async () => {
    const dir = tempDir();
    const store = diskStore({ dir, maxSize: 4 });
    expect(await put(store, "cache:v1:big", "too large")).toBeUndefined();
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  });

  it.each([[{}], [{ dir: "" }], [{ dir: "x", maxSize: 0 }], [{ dir: "x", verifyBeforeServe: -1 }]])(
    "refuses %j at once",
    (options) => {
      expect(() => diskStore(options as never)).toThrow(InvalidOptionsError);
    },
  );
});
