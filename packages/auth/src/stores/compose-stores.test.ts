import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Credential, type CredentialStore, HttpRequest } from "@switchyard/core";
import { describe, expect, it, vi } from "vitest";
import { CredentialStoreError } from "../errors.ts";
import { composeStores } from "./compose-stores.ts";
import { fileStore } from "./file-store.ts";
import { memoryStore } from "./memory-store.ts";

function counting(name: string, answer: (url: string) => Credential | undefined) {
  const calls: string[] = [];
  const store: CredentialStore = {
    name,
    async get(url) {
      calls.push(url);
      return answer(url);
    },
  };
  return { store, calls };
}

describe("composeStores", () => {
  it("marks credentials for plain-http URLs named in allowInsecureHttp, for consumers such as oci", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "sy-compose-insecure-")), "credentials.json");
    try {
      await writeFile(
        path,
        JSON.stringify({ "127.0.0.1:5000": { BasicHTTP: { username: "u", password: "file-pw" } } }),
      );
      const file = fileStore(path);
      const invalidated: Credential[] = [];
      const withInvalidate = Object.assign(file, {
        async invalidate(_url: string, credential: Credential) {
          invalidated.push(credential);
        },
      });
      const store = composeStores([withInvalidate], { allowInsecureHttp: ["127.0.0.1:5000"] });
      const plain = await store.get("http://127.0.0.1:5000/org/repo");
      expect(plain).toMatchObject({ kind: "basic", password: "file-pw", allowInsecureHttp: true });
      // The same marked object each time: sourceOf and invalidate know it.
      expect(await store.get("http://127.0.0.1:5000/other")).toBe(plain);
      expect(store.sourceOf(plain!)).toBe(withInvalidate);
      await store.invalidate("http://127.0.0.1:5000/org/repo", plain!);
      expect(invalidated[0]!.allowInsecureHttp).toBeUndefined();
      // https, and plain http to a host not named, stay as stored.
      expect((await store.get("https://127.0.0.1:5000/x"))?.allowInsecureHttp).toBeUndefined();
      const unnamed = composeStores([fileStore(path)]);
      expect((await unnamed.get("http://127.0.0.1:5000/x"))?.allowInsecureHttp).toBeUndefined();
    } finally {
      await rm(join(path, ".."), { recursive: true, force: true });
    }
  });

  it("asks stores in the caller's priority order; the first answer wins", async () => {
    const first = memoryStore({ "a.example.com": { kind: "bearer", token: "first" } }, { name: "first" });
    const second = memoryStore(
      {
        "a.example.com": { kind: "bearer", token: "second" },
        "b.example.com": { kind: "bearer", token: "b2" },
      },
      { name: "second" },
    );
    const composite = composeStores([first, second]);
    const a = await composite.get("https://a.example.com/");
    expect(a).toMatchObject({ token: "first" });
    expect(composite.sourceOf(a!)?.name).toBe("first");
    expect(await composite.get("https://b.example.com/")).toMatchObject({ token: "b2" });
    const reversed = composeStores([second, first]);
    expect(await reversed.get("https://a.example.com/")).toMatchObject({ token: "second" });
  });

  it("a more specific key in a lower store does not beat a higher store (priority is by store)", async () => {
    const composite = composeStores([
      memoryStore({ "*.example.com": { kind: "bearer", token: "wide" } }),
      memoryStore({ "a.example.com/x": { kind: "bearer", token: "narrow" } }),
    ]);
    expect(await composite.get("https://a.example.com/x/y")).toMatchObject({ token: "wide" });
  });

  it("caches misses for missTtl and forgets them when a store's file changes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sy-auth-compose-"));
    try {
      const path = join(dir, "credentials.json");
      await writeFile(path, "{}");
      const counter = counting("counter", () => undefined);
      const composite = composeStores([fileStore(path, { recheckInterval: 0 }), counter.store]);
      expect(await composite.get("https://a.example.com/x")).toBeUndefined();
      expect(await composite.get("https://a.example.com/x")).toBeUndefined();
      expect(counter.calls).toHaveLength(1);
      expect(composite.isKnownMiss("https://a.example.com/x")).toBe(false); // file store stats asynchronously
      await writeFile(path, JSON.stringify({ "a.example.com": { BearerToken: "now-here" } }));
      expect(await composite.get("https://a.example.com/x")).toMatchObject({ token: "now-here" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("answers known misses synchronously when every store's revision is synchronous", async () => {
    const counter = counting("counter", () => undefined);
    const memory = memoryStore({});
    const composite = composeStores([memory, counter.store]);
    expect(composite.isKnownMiss("https://a.example.com/")).toBe(false);
    await composite.get("https://a.example.com/");
    expect(composite.isKnownMiss("https://a.example.com/")).toBe(true);
    memory.set("a.example.com", { kind: "bearer", token: "t" });
    expect(composite.isKnownMiss("https://a.example.com/")).toBe(false);
    expect(await composite.get("https://a.example.com/")).toMatchObject({ token: "t" });
  });

  it("answers known misses from a parsed URL (core's request.urlParts) as from the text", async () => {
    const composite = composeStores([counting("counter", () => undefined).store]);
    await composite.get("https://A.example.com:443/x?page=1");
    expect(composite.isKnownMiss(new URL("https://a.example.com/x"))).toBe(true);
    expect(composite.isKnownMiss(new HttpRequest("https://a.example.com/x?page=2#top").urlParts)).toBe(true);
    expect(composite.isKnownMiss(new HttpRequest("https://a.example.com/y").urlParts)).toBe(false);
    expect(composite.isKnownMiss(new HttpRequest("http://a.example.com/x").urlParts)).toBe(false);
  });

  it("never remembers a miss for a URL with userinfo or without a host", async () => {
    const composite = composeStores([counting("counter", () => undefined).store]);
    await composite.get("https://user:secret@a.example.com/x");
    await composite.get("file:///etc/x");
    expect(composite.isKnownMiss("https://user:secret@a.example.com/x")).toBe(false);
    expect(composite.isKnownMiss("https://a.example.com/x")).toBe(false);
    expect(composite.isKnownMiss("file:///etc/x")).toBe(false);
    expect(composite.isKnownMiss("not a url")).toBe(false);
  });

  it("expires a known miss after missTtl (reads do not renew it)", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: 1_000_000 });
    try {
      const counter = counting("counter", () => undefined);
      const composite = composeStores([counter.store], { missTtl: 1000 });
      await composite.get("https://a.example.com/");
      vi.advanceTimersByTime(999);
      expect(composite.isKnownMiss("https://a.example.com/")).toBe(true);
      await composite.get("https://a.example.com/");
      expect(counter.calls).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(composite.isKnownMiss("https://a.example.com/")).toBe(false);
      await composite.get("https://a.example.com/");
      expect(counter.calls).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps misses in the order they were stored: reading one does not save it from eviction", async () => {
    const bounded = composeStores([counting("c", () => undefined).store], { maxCachedMisses: 2 });
    await bounded.get("https://a.example.com/");
    await bounded.get("https://b.example.com/");
    expect(bounded.isKnownMiss("https://a.example.com/")).toBe(true);
    await bounded.get("https://c.example.com/");
    expect(bounded.isKnownMiss("https://a.example.com/")).toBe(false);
    expect(bounded.isKnownMiss("https://b.example.com/")).toBe(true);
    expect(bounded.isKnownMiss("https://c.example.com/")).toBe(true);
  });

  it("expires misses after missTtl, and keeps at most maxCachedMisses", async () => {
    const counter = counting("counter", () => undefined);
    const composite = composeStores([counter.store], { missTtl: 0 });
    await composite.get("https://a.example.com/");
    await composite.get("https://a.example.com/");
    expect(counter.calls).toHaveLength(2);
    const bounded = composeStores([counting("c", () => undefined).store], { maxCachedMisses: 2 });
    for (const h of ["a", "b", "c"]) await bounded.get(`https://${h}.example.com/`);
    expect(bounded.isKnownMiss("https://a.example.com/")).toBe(false);
    expect(bounded.isKnownMiss("https://c.example.com/")).toBe(true);
  });

  it("fails on a store error (wrapped, store named) and on an invalid credential, never skipping", async () => {
    const broken: CredentialStore = {
      name: "vault",
      get: async () => {
        throw new Error("connection refused");
      },
    };
    const error = (await composeStores([broken, memoryStore({ "a.com": { kind: "bearer", token: "t" } })])
      .get("https://user:PLANTED@a.com/")
      .catch((e: unknown) => e)) as CredentialStoreError;
    expect(error).toBeInstanceOf(CredentialStoreError);
    expect(error.store).toBe("vault");
    expect(error.message).not.toContain("PLANTED");
    const invalid: CredentialStore = { name: "odd", get: async () => ({ kind: "bearer", token: "" }) };
    await expect(composeStores([invalid]).get("https://a.com/")).rejects.toThrow(/invalid credential/);
  });

  it("passes invalidate to the store that produced the credential", async () => {
    const invalidated: string[] = [];
    const refreshable: CredentialStore = {
      name: "r",
      get: async () => ({ kind: "bearer", token: "t" }),
      invalidate: async (url) => {
        invalidated.push(url);
      },
    };
    const composite = composeStores([memoryStore({ "m.com": { kind: "bearer", token: "m" } }), refreshable]);
    const fromR = await composite.get("https://r.com/");
    const fromM = await composite.get("https://m.com/");
    await composite.invalidate("https://m.com/", fromM!);
    await composite.invalidate("https://r.com/", fromR!);
    expect(invalidated).toEqual(["https://r.com/"]);
  });

  it("validates options synchronously", () => {
    expect(() => composeStores("x" as never)).toThrow(/array/);
    expect(() => composeStores([{ name: "x" } as never])).toThrow(/get/);
    expect(() => composeStores([], { missTtl: -1 })).toThrow(/missTtl/);
  });
});
