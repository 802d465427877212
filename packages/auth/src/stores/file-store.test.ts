import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { chmod, copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSwitchyardError } from "@switchyard/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialFileError } from "../errors.ts";
import { fileStore } from "./file-store.ts";

const fixtures = join(import.meta.dirname, "..", "..", "test", "fixtures");
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sy-auth-file-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Fixtures end in .txt so the formatter leaves them byte for byte (lines are asserted).
async function copyFixture(name: string): Promise<string> {
  const path = join(dir, name);
  await copyFile(join(fixtures, `${name}.txt`), path);
  return path;
}

function capture(channel: string): { events: unknown[]; stop(): void } {
  const events: unknown[] = [];
  const fn = (m: unknown) => events.push(m);
  subscribe(channel, fn);
  return { events, stop: () => unsubscribe(channel, fn) };
}

describe("fileStore", () => {
  it("serves rattler's credentials.json", async () => {
    const store = fileStore(await copyFixture("credentials.json"));
    expect(await store.get("https://repo.prefix.dev/ch/x")).toEqual({
      kind: "bearer",
      token: "fixture-bearer-prefix",
    });
    expect(await store.get("https://anaconda.org/ch/x")).toEqual({
      kind: "conda-token",
      token: "fixture-conda-token",
    });
    expect(await store.get("https://nowhere.example/")).toBeUndefined();
    expect(await store.keys()).toContain("s3://my-bucket");
  });

  it("treats a missing file as empty, or fails when required", async () => {
    expect(await fileStore(join(dir, "absent.json")).get("https://a.com/")).toBeUndefined();
    const error = await fileStore(join(dir, "absent.json"), { required: true })
      .get("https://a.com/")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialFileError);
    expect((error as CredentialFileError).message).toContain("absent.json");
  });

  it("fails every lookup on an unknown kind with file and line, not a silent skip", async () => {
    const path = await copyFixture("unknown-kind.json");
    const store = fileStore(path);
    const error = (await store
      .get("https://good.example.com/")
      .catch((e: unknown) => e)) as CredentialFileError;
    expect(isSwitchyardError(error, "SWITCHYARD_ERR_AUTH_FILE")).toBe(true);
    expect(error.file).toBe(path);
    expect(error.line).toBe(5);
    expect(error.problem).toBe("kind");
    expect(error.message).toContain(`${path}:5:3`);
    expect(error.message).not.toContain("fixture-unknown-kind-secret");
  });

  it("fails on bad JSON with the line of the error", async () => {
    const path = await copyFixture("bad-syntax.json");
    const error = (await fileStore(path)
      .get("https://good.example.com/")
      .catch((e: unknown) => e)) as CredentialFileError;
    expect(error.problem).toBe("syntax");
    expect(error.line).toBe(8);
    expect(error.message).not.toContain("fixture-syntax-secret");
  });

  it("in lenient mode reports problems as events and serves the good entries", async () => {
    const path = await copyFixture("unknown-kind.json");
    const cap = capture("switchyard:auth:file-problem");
    try {
      const store = fileStore(path, { lenient: true, name: "rattler" });
      expect(await store.get("https://good.example.com/")).toEqual({ kind: "bearer", token: "fixture-good" });
      expect(await store.get("https://bad.example.com/")).toBeUndefined();
      expect(cap.events).toEqual([
        expect.objectContaining({ store: "rattler", file: path, line: 5, column: 3, problem: "kind" }),
      ]);
      // Reported once per load, not once per lookup.
      await store.get("https://good.example.com/");
      expect(cap.events).toHaveLength(1);
    } finally {
      cap.stop();
    }
  });

  it("re-reads the file when it changes (recheckInterval 0) and keeps serving from cache otherwise", async () => {
    const path = join(dir, "credentials.json");
    await writeFile(path, JSON.stringify({ "a.example.com": { BearerToken: "one" } }));
    const store = fileStore(path, { recheckInterval: 0 });
    expect(await store.get("https://a.example.com/")).toMatchObject({ token: "one" });
    const r1 = await store.revision();
    await writeFile(path, JSON.stringify({ "a.example.com": { BearerToken: "two-longer" } }));
    expect(await store.get("https://a.example.com/")).toMatchObject({ token: "two-longer" });
    expect(await store.revision()).not.toBe(r1);
  });

  it("does not stat again within the recheck interval", async () => {
    const path = join(dir, "credentials.json");
    await writeFile(path, JSON.stringify({ "a.example.com": { BearerToken: "one" } }));
    const store = fileStore(path, { recheckInterval: 60_000 });
    expect(await store.get("https://a.example.com/")).toMatchObject({ token: "one" });
    await writeFile(path, JSON.stringify({ "a.example.com": { BearerToken: "two-longer" } }));
    expect(await store.get("https://a.example.com/")).toMatchObject({ token: "one" });
    expect(typeof store.revision()).toBe("number");
    // invalidate() (what a 401 triggers) forces the check.
    await store.invalidate("https://a.example.com/", { kind: "bearer", token: "one" });
    expect(await store.get("https://a.example.com/")).toMatchObject({ token: "two-longer" });
  });

  it("recovers once a malformed file is fixed", async () => {
    const path = join(dir, "credentials.json");
    await writeFile(path, "{ not json");
    const store = fileStore(path, { recheckInterval: 0 });
    await expect(store.get("https://a.example.com/")).rejects.toBeInstanceOf(CredentialFileError);
    await writeFile(path, JSON.stringify({ "a.example.com": { CondaToken: "fixed" } }));
    expect(await store.get("https://a.example.com/")).toMatchObject({ token: "fixed" });
  });

  it("writes atomically, keeps unknown fields and entries, and a new file is private (0600)", async () => {
    const path = await copyFixture("credentials.json");
    const store = fileStore(path, { recheckInterval: 0 });
    await store.set("new.example.com", { kind: "basic", username: "u", password: "p" });
    await store.set("*.PREFIX.dev", { kind: "bearer", token: "replaced" });
    const written = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    expect(written["repo.example.com/private"]).toMatchObject({
      BasicHTTP: { note: "an unknown field rattler ignores and we keep" },
    });
    expect(written["login.example.com"]).toMatchObject({
      OAuth: { client_id: "fixture-client", token_endpoint: "https://login.example.com/token" },
    });
    // The key keeps its original spelling and place.
    expect(Object.keys(written)[0]).toBe("*.prefix.dev");
    expect(written["*.prefix.dev"]).toEqual({ BearerToken: "replaced" });
    expect(written["new.example.com"]).toEqual({ BasicHTTP: { username: "u", password: "p" } });
    expect(await store.get("https://x.prefix.dev/")).toMatchObject({ token: "replaced" });
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const fresh = join(dir, "sub", "dir", "credentials.json");
    await fileStore(fresh).set("a.example.com", { kind: "conda-token", token: "t" });
    expect((await stat(fresh)).mode & 0o777).toBe(0o600);
  });

  it("keeps the unknown fields of the entry it replaces when the kind stays", async () => {
    const path = await copyFixture("credentials.json");
    const store = fileStore(path, { recheckInterval: 0 });
    await store.set("repo.example.com/private", { kind: "basic", username: "u2", password: "new-pw" });
    const written = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    expect(written["repo.example.com/private"]).toEqual({
      BasicHTTP: { username: "u2", password: "new-pw", note: "an unknown field rattler ignores and we keep" },
    });
    // A change of kind replaces the entry whole.
    await store.set("repo.example.com/private", { kind: "bearer", token: "tok" });
    const again = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    expect(again["repo.example.com/private"]).toEqual({ BearerToken: "tok" });
    expect(await store.get("https://repo.example.com/private/x")).toEqual({ kind: "bearer", token: "tok" });
  });

  it("round-trips: unknown kinds in other entries survive a write", async () => {
    const path = await copyFixture("unknown-kind.json");
    const store = fileStore(path);
    await store.set("third.example.com", { kind: "bearer", token: "t3" });
    const written = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    expect(written["bad.example.com"]).toEqual({
      BasicHttp: { username: "u", password: "fixture-unknown-kind-secret" },
    });
  });

  it("deletes entries by normalised key", async () => {
    const path = await copyFixture("credentials.json");
    const store = fileStore(path, { recheckInterval: 0 });
    expect(await store.delete("ANACONDA.org/")).toBe(true);
    expect(await store.delete("anaconda.org")).toBe(false);
    expect(await store.get("https://anaconda.org/x")).toBeUndefined();
  });

  it("keeps the mode of an existing file", async () => {
    const path = await copyFixture("credentials.json");
    await chmod(path, 0o640);
    await fileStore(path).set("a.example.com", { kind: "bearer", token: "t" });
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it("serialises concurrent writes so none is lost", async () => {
    const path = join(dir, "credentials.json");
    const store = fileStore(path, { recheckInterval: 0 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.set(`h${i}.example.com`, { kind: "bearer", token: `t${i}` }),
      ),
    );
    expect(Object.keys(JSON.parse(await readFile(path, "utf8")))).toHaveLength(20);
  });

  it("refuses to write over a file it cannot parse, and credentials rattler could not read back", async () => {
    const path = await copyFixture("bad-syntax.json");
    const store = fileStore(path);
    await expect(store.set("a.example.com", { kind: "bearer", token: "t" })).rejects.toMatchObject({
      code: "SWITCHYARD_ERR_AUTH_FILE",
      line: 8,
    });
    expect(await readFile(path, "utf8")).toBe(await readFile(join(fixtures, "bad-syntax.json.txt"), "utf8"));
    await expect(
      fileStore(join(dir, "c.json")).set("a.example.com", { kind: "header", name: "X-API-Key", value: "v" }),
    ).rejects.toMatchObject({ code: "SWITCHYARD_ERR_INVALID_OPTIONS" });
  });

  it("validates options synchronously", () => {
    expect(() => fileStore("")).toThrow(/path/);
    expect(() => fileStore("x.json", { recheckInterval: -1 })).toThrow(/recheckInterval/);
  });
});
