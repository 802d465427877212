import { randomBytes } from "node:crypto";
import { isSwitchyardError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { KeyringUnavailableError } from "../errors.ts";
import type { KeyringModule } from "./keyring-store.ts";
import { keyringStore } from "./keyring-store.ts";

function fakeKeyring(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  const reads: string[] = [];
  const module: KeyringModule = {
    Entry: class {
      readonly #key: string;
      constructor(service: string, account: string) {
        this.#key = `${service}/${account}`;
      }
      getPassword() {
        reads.push(this.#key);
        return data.get(this.#key) ?? null;
      }
      setPassword(password: string) {
        data.set(this.#key, password);
      }
      deletePassword() {
        return data.delete(this.#key);
      }
    },
  };
  return { module, data, reads };
}

describe("keyringStore", () => {
  it("fails with a typed error naming the package when the binding cannot be loaded", async () => {
    // A real dynamic import of a package that is not installed, like the default loader's.
    const missing = `@napi-rs/keyring-not-installed-${randomBytes(4).toString("hex")}`;
    const store = keyringStore({ load: () => import(missing) });
    const error = await store.get("https://a.example.com/").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringUnavailableError);
    expect(isSwitchyardError(error, "SWITCHYARD_ERR_AUTH_KEYRING_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toContain("npm install @napi-rs/keyring");
    await expect(store.set("a.example.com", { kind: "bearer", token: "t" })).rejects.toBeInstanceOf(
      KeyringUnavailableError,
    );
  });

  it("reads rattler's JSON by host, then walks wildcards, caching hits and misses", async () => {
    const k = fakeKeyring({
      "rattler/*.example.com": JSON.stringify({ BearerToken: "wild" }),
      "rattler/exact.example.com": JSON.stringify({ BasicHTTP: { username: "u", password: "p" } }),
    });
    const store = keyringStore({ load: async () => k.module });
    expect(await store.get("https://exact.example.com/x")).toEqual({
      kind: "basic",
      username: "u",
      password: "p",
    });
    expect(await store.get("https://a.b.example.com/x")).toEqual({ kind: "bearer", token: "wild" });
    expect(k.reads).toEqual([
      "rattler/exact.example.com",
      "rattler/a.b.example.com",
      "rattler/*.a.b.example.com",
      "rattler/*.b.example.com",
      "rattler/*.example.com",
    ]);
    const before = k.reads.length;
    await store.get("https://a.b.example.com/other");
    expect(k.reads.length).toBe(before);
    expect(await store.get("https://none.test/")).toBeUndefined();
    const afterMiss = k.reads.length;
    expect(await store.get("https://none.test/")).toBeUndefined();
    expect(k.reads.length).toBe(afterMiss);
  });

  it("tries host:port first when the URL names a port", async () => {
    const k = fakeKeyring({ "svc/localhost:5000": JSON.stringify({ CondaToken: "c" }) });
    const store = keyringStore({ service: "svc", load: async () => k.module });
    expect(await store.get("http://localhost:5000/x")).toEqual({ kind: "conda-token", token: "c" });
    expect(await store.get("http://localhost:5001/x")).toBeUndefined();
  });

  it("writes and deletes in rattler's format", async () => {
    const k = fakeKeyring();
    const store = keyringStore({ load: async () => k.module });
    await store.set("*.Example.com", { kind: "bearer", token: "t" });
    expect(k.data.get("rattler/*.example.com")).toBe('{"BearerToken":"t"}');
    expect(await store.get("https://x.example.com/")).toMatchObject({ token: "t" });
    expect(await store.delete("*.example.com")).toBe(true);
    expect(await store.delete("*.example.com")).toBe(false);
    await expect(store.set("a.com/path", { kind: "bearer", token: "t" })).rejects.toThrow(
      /no scheme or path/,
    );
  });

  it("reports a broken entry or a failing OS keyring as KeyringUnavailableError without the secret", async () => {
    const k = fakeKeyring({ "rattler/a.example.com": JSON.stringify({ Mystery: "KEYRING-PLANTED-SECRET" }) });
    const error = (await keyringStore({ load: async () => k.module })
      .get("https://a.example.com/")
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(KeyringUnavailableError);
    expect(error.message).not.toContain("KEYRING-PLANTED-SECRET");
    const failing: KeyringModule = {
      Entry: class {
        getPassword(): string {
          throw new Error("no secret service");
        }
        setPassword() {}
        deletePassword() {}
      },
    };
    await expect(keyringStore({ load: async () => failing }).get("https://a.example.com/")).rejects.toThrow(
      /OS keyring failed/,
    );
  });

  it("round-trips through the real @napi-rs/keyring when this machine has a usable keyring", async () => {
    const service = `switchyard-auth-test-${randomBytes(4).toString("hex")}`;
    const store = keyringStore({ service, cacheTtl: 0, missTtl: 0 });
    try {
      await store.set("roundtrip.example.com", { kind: "bearer", token: "real-keyring-token" });
    } catch (error) {
      // No OS keyring (or no binding) here: the error must be the typed one, and nothing else is tested.
      expect(error).toBeInstanceOf(KeyringUnavailableError);
      return;
    }
    try {
      expect(await store.get("https://roundtrip.example.com/")).toEqual({
        kind: "bearer",
        token: "real-keyring-token",
      });
    } finally {
      await store.delete("roundtrip.example.com");
    }
    expect(await store.get("https://roundtrip.example.com/")).toBeUndefined();
  });
});
