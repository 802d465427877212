import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CredentialStore } from "@switchyard/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { envStore } from "./env-store.ts";
import { fileStore } from "./file-store.ts";
import { keyringStore } from "./keyring-store.ts";
import { memoryStore } from "./memory-store.ts";
import { netrcStore } from "./netrc-store.ts";
import { oauthStore } from "./oauth-store.ts";
import { httpAuthorityStart, outOfScopeCheck } from "./store-scope.ts";

const bearer = { kind: "bearer", token: "scope-test-token" } as const;

/** Whether the check passes `url` over (no store can answer it), the URL given as a caller would. */
function passes(check: ((href: string, start: number) => boolean) | undefined, url: string): boolean {
  const href = new URL(url).href;
  return check!(href, httpAuthorityStart(href));
}

function withKeys(keys: readonly string[]) {
  return outOfScopeCheck([memoryStore(Object.fromEntries(keys.map((k) => [k, bearer])))]);
}

describe("httpAuthorityStart", () => {
  it.each([
    ["http://h/", 7],
    ["https://h/", 8],
    ["ws://h/", -1],
    ["oci://h/x", -1],
    ["httpx://h/", -1],
    ["s3://b/k", -1],
  ])("%s -> %d", (url, start) => {
    expect(httpAuthorityStart(url)).toBe(start);
  });
});

describe("outOfScopeCheck", () => {
  it.each([
    // [keys, url, passed over]
    [["repo.example.com"], "https://repo.example.com/x", false],
    [["repo.example.com"], "https://REPO.Example.com:443/x", false],
    [["repo.example.com"], "http://repo.example.com:8080/x", false], // a key without port: any port
    [["repo.example.com"], "https://other.example.com/x", true],
    [["repo.example.com"], "https://example.com/", true],
    [["repo.example.com"], "https://repo.example.com.evil.org/", true],
    [["repo.example.com"], "https://repo.example.com./x", false], // trailing dot: the lookup decides
    [["repo.example.com"], "https://user:pw@other.example.com/", false], // userinfo: the lookup decides
    [["repo.example.com/conda", "s3://bucket"], "https://repo.example.com/pypi", false], // paths narrow later
    [["s3://bucket"], "https://bucket/x", false],
    [["repo.example.com:8443"], "https://repo.example.com/x", false],
    [["*.example.com"], "https://example.com/", false],
    [["*.example.com"], "https://a.b.example.com:8443/", false],
    [["*.example.com"], "https://badexample.com/", true],
    [["*.example.com"], "https://example.com.evil.org/", true],
    [["*.com"], "https://anything.com/", false],
    [["127.0.0.1:5000"], "http://127.0.0.1:8080/", false],
    [["127.0.0.1"], "http://127.1/", false], // both canonical
    [["127.0.0.1"], "http://127.0.0.2:8080/", true],
    [["[::1]:8080"], "http://[::1]/", false],
    [["[::1]"], "http://[::1]:8080/x", false],
    [["[::1]"], "http://[::2]:8080/x", true],
    [["[::1]"], "http://127.0.0.1:8080/x", true],
    [[], "https://anything.example/", true],
  ])("keys %j: %s passed over: %s", (keys, url, expected) => {
    expect(passes(withKeys(keys), url)).toBe(expected);
  });

  it("compares in place or through a set alike, past a handful of hosts", () => {
    const hosts = Array.from({ length: 20 }, (_, i) => `h${i}.example`);
    const check = withKeys(hosts);
    for (const h of hosts) expect(passes(check, `https://${h}/x`)).toBe(false);
    expect(passes(check, "https://h20.example/x")).toBe(true);
    expect(passes(check, "https://h1.example.org/x")).toBe(true);
  });

  const label = fc.constantFrom("a", "b", "ab", "example", "com", "org");
  const host = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join("."));
  const key = fc
    .tuple(
      fc.boolean(),
      host,
      fc.option(fc.constantFrom(80, 443, 8443), { nil: undefined }),
      fc.constantFrom("", "/a", "/b"),
    )
    .map(([wild, h, port, path]) => `${wild ? "*." : ""}${h}${port === undefined ? "" : `:${port}`}${path}`);
  const url = fc
    .tuple(
      fc.constantFrom("http", "https"),
      host,
      fc.constantFrom("", ":8443", ":80"),
      fc.constantFrom("/", "/a/x"),
    )
    .map(([s, h, port, path]) => `${s}://${h}${port}${path}`);

  it("passes over only URLs the store has no credential for (property)", async () => {
    let passedOver = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(key, { maxLength: 4 }), url, async (keys, target) => {
        const store = memoryStore(Object.fromEntries(keys.map((k) => [k, bearer])));
        if (passes(outOfScopeCheck([store]), target)) {
          passedOver++;
          expect(await store.get(target)).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
    expect(passedOver).toBeGreaterThan(30);
  });

  it("follows a memory store's changes at once", () => {
    const store = memoryStore({ "repo.example.com": bearer });
    const check = outOfScopeCheck([store]);
    expect(passes(check, "https://late.example.com/")).toBe(true);
    store.set("late.example.com", bearer);
    expect(passes(check, "https://late.example.com/")).toBe(false);
    store.delete("late.example.com");
    expect(passes(check, "https://late.example.com/")).toBe(true);
  });

  it("unites every store's keys; env and oauth stores declare their fixed keys", () => {
    const check = outOfScopeCheck([
      envStore({
        entries: { "env.example.com": { kind: "bearer", tokenVar: "UNSET_SCOPE_TEST_VAR" } },
        env: {},
      }),
      oauthStore({ "*.oauth.example": { refresh: async () => ({ token: "t" }) } }),
      memoryStore({}),
    ]);
    expect(passes(check, "https://env.example.com/")).toBe(false);
    expect(passes(check, "https://api.oauth.example/")).toBe(false);
    expect(passes(check, "https://other.example/")).toBe(true);
  });

  it("passes nothing over when a store cannot list its keys (a custom store, the OS keyring)", () => {
    const custom: CredentialStore = { name: "custom", get: async () => undefined };
    expect(outOfScopeCheck([memoryStore({}), custom])).toBeUndefined();
    const keyring = keyringStore({ service: "switchyard-scope-test" });
    expect(outOfScopeCheck([keyring])).toBeUndefined();
  });

  it("knows a file store's keys once read, and again after it changed and was read anew", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sy-auth-scope-"));
    try {
      const path = join(dir, "credentials.json");
      await writeFile(path, JSON.stringify({ "repo.example.com": { BearerToken: "t1" } }));
      const store = fileStore(path, { recheckInterval: 60_000 });
      const check = outOfScopeCheck([store]);
      expect(passes(check, "https://other.example/")).toBe(false); // not read yet
      await store.get("https://other.example/");
      expect(passes(check, "https://other.example/")).toBe(true);
      expect(passes(check, "https://repo.example.com/")).toBe(false);
      await store.set("other.example", { kind: "bearer", token: "t2" });
      expect(passes(check, "https://other.example/")).toBe(false); // changed: not re-read yet
      expect(await store.get("https://other.example/")).toMatchObject({ token: "t2" });
      expect(passes(check, "https://other.example/")).toBe(false);
      expect(passes(check, "https://third.example/")).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("never passes over a URL while a store's file is malformed (the lookup fails with its error)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sy-auth-scope-"));
    try {
      const path = join(dir, "credentials.json");
      await writeFile(path, "{ not json");
      const store = fileStore(path, { recheckInterval: 60_000 });
      const check = outOfScopeCheck([store]);
      await expect(store.get("https://other.example/")).rejects.toMatchObject({
        code: "SWITCHYARD_ERR_AUTH_FILE",
      });
      expect(passes(check, "https://other.example/")).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("treats a netrc default entry as a key for every host", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sy-auth-scope-"));
    try {
      const withDefault = join(dir, "with-default");
      const machinesOnly = join(dir, "machines-only");
      await writeFile(
        withDefault,
        "machine repo.example.com login a password b\ndefault login c password d\n",
      );
      await writeFile(machinesOnly, "machine repo.example.com login a password b\n");
      const a = netrcStore(withDefault, { recheckInterval: 60_000 });
      const b = netrcStore(machinesOnly, { recheckInterval: 60_000 });
      await a.get("https://other.example/");
      await b.get("https://other.example/");
      expect(passes(outOfScopeCheck([a]), "https://other.example/")).toBe(false);
      expect(passes(outOfScopeCheck([b]), "https://other.example/")).toBe(true);
      expect(passes(outOfScopeCheck([b]), "https://repo.example.com/")).toBe(false);
      const ignored = netrcStore(withDefault, { recheckInterval: 60_000, useDefault: false });
      await ignored.get("https://other.example/");
      expect(passes(outOfScopeCheck([ignored]), "https://other.example/")).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
