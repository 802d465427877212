import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StateChange, StateStore } from "@switchyard/core";
import { cacheStatusKey, createClient } from "@switchyard/core";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cache } from "./cache.ts";

// A stand-in for core's state-store contract (the memory, SQLite and Redis stores are their own
// packages): what the cache uses of it, get/set/delete with change notification, over one Map.
function mapStateStore(): StateStore & { readonly entries: Map<string, { value: string; ttlMs: number }> } {
  const entries = new Map<string, { value: string; ttlMs: number }>();
  const listeners = new Set<[string, (change: StateChange) => void]>();
  const notify = (key: string, kind: StateChange["kind"]) => {
    for (const [prefix, listener] of listeners) if (key.startsWith(prefix)) listener({ key, kind });
  };
  const unsupported = () => Promise.reject(new Error("not used by the cache"));
  return {
    name: "map",
    entries,
    get: async (key) => entries.get(key),
    async set(key, value, ttlMs) {
      entries.set(key, { value, ttlMs });
      notify(key, "set");
    },
    setIfAbsent: unsupported,
    async delete(key) {
      entries.delete(key);
      notify(key, "delete");
    },
    extendDeadline: unsupported,
    increment: unsupported,
    acquireLease: unsupported,
    subscribe(prefix, listener) {
      const entry: [string, (change: StateChange) => void] = [prefix, listener];
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    close: async () => {},
  };
}

describe("cache metadata shared through a state store", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), "sy-cache-state-"));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes hashed keys with a TTL and no URL, and one process's invalidation reaches the other's memory", async () => {
    server.route("/doc", { headers: { "cache-control": "max-age=600" }, body: "doc" });
    const state = mapStateStore();
    const a = cache({ dir, stateStore: state });
    const b = cache({ dir, stateStore: state });
    const clientA = createClient({ middleware: [a] });
    const clientB = createClient({ middleware: [b] });
    const get = async (client: typeof clientA, cached: typeof a) => {
      const res = await client.request(`${server.origin}/doc?token=s3cret`);
      await res.text();
      await cached.idle();
      return res.context.get(cacheStatusKey);
    };
    expect(await get(clientA, a)).toBe("miss");
    const [key, entry] = [...state.entries][0]!;
    expect(key).toMatch(/^cache:v1:[0-9a-f]{64}$/);
    expect(entry.ttlMs).toBeGreaterThan(0);
    expect(entry.value).not.toContain("s3cret");
    expect(entry.value).not.toContain("/doc");
    expect(await get(clientB, b)).toBe("hit");
    expect(await get(clientA, a)).toBe("hit");
    await (await clientB.request(`${server.origin}/doc?token=s3cret`, { method: "DELETE" })).text();
    await b.idle();
    expect(state.entries.size).toBe(0);
    // A remembered the entry in memory; the notification made it forget.
    expect(await get(clientA, a)).toBe("miss");
    await Promise.all([clientA.close(), clientB.close()]);
    await Promise.all([a.close(), b.close()]);
  });
});
