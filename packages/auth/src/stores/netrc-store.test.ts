import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialFileError } from "../errors.ts";
import { fileStore } from "./file-store.ts";
import { netrcStore, parseNetrcTable } from "./netrc-store.ts";

const fixtures = join(import.meta.dirname, "..", "..", "test", "fixtures");
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sy-auth-netrc-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("netrcStore", () => {
  it("serves machines as basic credentials, skips macdef bodies and comments, falls back to default", async () => {
    const path = join(dir, "netrc");
    await copyFile(join(fixtures, "netrc"), path);
    const store = netrcStore(path);
    expect(await store.get("https://registry.example.com/v2/")).toEqual({
      kind: "basic",
      username: "robot",
      password: "fixture netrc password",
    });
    expect(await store.get("https://api.example.com/")).toMatchObject({
      username: "token",
      password: "fixture-api-token",
    });
    expect(await store.get("http://127.0.0.1:5000/v2/")).toMatchObject({ username: "local" });
    // evil.example.com only appears inside the macro body: it gets the default entry, not mallory.
    expect(await store.get("https://evil.example.com/")).toMatchObject({ username: "anonymous" });
    expect(await store.get("http://127.0.0.1:6000/")).toMatchObject({ username: "anonymous" });
  });

  it("can ignore the default entry", async () => {
    const path = join(dir, "netrc");
    await copyFile(join(fixtures, "netrc"), path);
    expect(await netrcStore(path, { useDefault: false }).get("https://unknown.example/")).toBeUndefined();
  });

  it("the first entry for a machine wins, as in curl", async () => {
    const path = join(dir, "netrc");
    await writeFile(
      path,
      "machine a.example.com login first password 1\nmachine a.example.com login second password 2\n",
    );
    expect(await netrcStore(path).get("https://a.example.com/")).toMatchObject({ username: "first" });
  });

  it("fails with file and line on a malformed file, never quoting it", async () => {
    const path = join(dir, "netrc");
    await writeFile(path, "machine a.example.com\n  login u\n  passwrd NETRC-PLANTED-SECRET\n");
    const error = (await netrcStore(path)
      .get("https://a.example.com/")
      .catch((e: unknown) => e)) as CredentialFileError;
    expect(error).toBeInstanceOf(CredentialFileError);
    expect(error.line).toBe(3);
    expect(error.message).toContain(`${path}:3:3`);
    expect(error.message).not.toContain("NETRC-PLANTED-SECRET");
    expect(String(error.stack)).not.toContain("NETRC-PLANTED-SECRET");
  });

  it("reports an invalid machine name as a key problem", async () => {
    const path = join(dir, "netrc");
    await writeFile(path, "machine a.example.com login u password p\nmachine bad*host login x password y\n");
    await expect(netrcStore(path).get("https://a.example.com/")).rejects.toMatchObject({
      line: 2,
      problem: "key",
    });
  });

  it("in lenient mode publishes problems and serves what parsed", async () => {
    const path = join(dir, "netrc");
    await writeFile(path, "machine a.example.com login u password p\nbogus\n");
    const events: unknown[] = [];
    const fn = (m: unknown) => events.push(m);
    subscribe("switchyard:auth:file-problem", fn);
    try {
      expect(await netrcStore(path, { lenient: true }).get("https://a.example.com/")).toMatchObject({
        username: "u",
      });
      expect(events).toEqual([expect.objectContaining({ file: path, line: 2, problem: "syntax" })]);
    } finally {
      unsubscribe("switchyard:auth:file-problem", fn);
    }
  });

  it("reads $NETRC or ~/.netrc only when asked", () => {
    expect(() => netrcStore({})).toThrow(/fromEnvironment/);
    expect(netrcStore({ fromEnvironment: true, env: { NETRC: "/tmp/some/netrc" } }).path).toBe(
      "/tmp/some/netrc",
    );
    expect(netrcStore({ fromEnvironment: true, env: {} }).path).toBe(join(homedir(), ".netrc"));
    expect(netrcStore({ fromEnvironment: true, env: { NETRC: "" } }).path).toBe(join(homedir(), ".netrc"));
  });
});

describe("netrc and credentials files: properties", () => {
  it("parseNetrcTable never throws and every problem has a line", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.boolean(), (text, useDefault) => {
        const parsed = parseNetrcTable(text, useDefault);
        for (const p of parsed.problems) expect(p.line).toBeGreaterThanOrEqual(1);
        parsed.table.machines.match("https://example.com/");
      }),
    );
  });

  it("a malformed file of any content fails with a CredentialFileError naming the file and a line", async () => {
    const path = join(dir, "netrc");
    const json = join(dir, "credentials.json");
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 120 }), async (text) => {
        await writeFile(path, text);
        await writeFile(json, text);
        for (const store of [netrcStore(path), fileStore(json)]) {
          const outcome = await store.get("https://example.com/").then(
            () => undefined,
            (e: unknown) => e,
          );
          if (outcome === undefined) continue;
          expect(outcome).toBeInstanceOf(CredentialFileError);
          const error = outcome as CredentialFileError;
          expect(error.message.startsWith(error.file)).toBe(true);
          expect(error.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 60 },
    );
  });
});
