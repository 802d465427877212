import { describe, expect, it } from "vitest";
import { memoryStore } from "./memory-store.ts";

describe("memoryStore", () => {
  it("matches keys like every store and changes at run time", async () => {
    const store = memoryStore({ "*.example.com": { kind: "bearer", token: "wild" } });
    expect(await store.get("https://a.example.com/")).toMatchObject({ token: "wild" });
    const r = store.revision();
    store.set("a.example.com", { kind: "header", name: "X-API-Key", value: "exact" });
    expect(store.revision()).not.toBe(r);
    expect(await store.get("https://a.example.com/")).toMatchObject({ value: "exact" });
    expect(store.delete("A.example.com")).toBe(true);
    expect(await store.get("https://a.example.com/")).toMatchObject({ token: "wild" });
    expect(store.keys()).toEqual(["*.example.com"]);
  });

  it("accepts a Map or entry list", async () => {
    const store = memoryStore(
      new Map([["s3://bucket", { kind: "s3", accessKeyId: "a", secretAccessKey: "s" } as const]]),
    );
    expect(await store.get("s3://bucket/x")).toMatchObject({ kind: "s3" });
  });

  it.each([
    [{ "bad*key": { kind: "bearer", token: "t" } }, /wildcard/],
    [{ "a.com": { kind: "nope", token: "t" } }, /unknown credential kind/],
    [{ "a.com": { kind: "bearer", token: "" } }, /non-empty token/],
    [{ "a.com": { kind: "header", name: "Bad Header", value: "v" } }, /header name/],
    [{ "a.com": { kind: "header", name: "Host", value: "v" } }, /framing/],
    [{ "a.com": { kind: "basic", username: "a:b", password: "p" } }, /`:`/],
    [{ "a.com": { kind: "bearer", token: "t" }, "A.COM/": { kind: "bearer", token: "u" } }, /twice/],
  ])("rejects bad entries synchronously: %j", (entries, message) => {
    expect(() => memoryStore(entries as never)).toThrow(message);
  });

  it("names the key, never the secret, in its errors", () => {
    try {
      memoryStore({ "a.com": { kind: "bearer", token: "PLANTED\nSECRET" } });
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).toContain("a.com");
      expect(String((error as Error).stack)).not.toContain("PLANTED");
    }
  });
});
