import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Credential } from "@switchyard/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCredentialsJson } from "./credentials-json.ts";
import { decodeRattlerValue, encodeRattlerValue, unencodableReason } from "./rattler-format.ts";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "..", "..", "test", "fixtures", name), "utf8");

describe("decodeRattlerValue", () => {
  it.each<[string, unknown, Credential]>([
    ["BearerToken", { BearerToken: "t" }, { kind: "bearer", token: "t" }],
    [
      "BasicHTTP",
      { BasicHTTP: { username: "u", password: "p" } },
      { kind: "basic", username: "u", password: "p" },
    ],
    ["CondaToken", { CondaToken: "c" }, { kind: "conda-token", token: "c" }],
    [
      "S3Credentials without session",
      { S3Credentials: { access_key_id: "a", secret_access_key: "s", session_token: null } },
      { kind: "s3", accessKeyId: "a", secretAccessKey: "s" },
    ],
    [
      "S3Credentials with session and region",
      {
        S3Credentials: {
          access_key_id: "a",
          secret_access_key: "s",
          session_token: "st",
          region: "eu-west-1",
        },
      },
      { kind: "s3", accessKeyId: "a", secretAccessKey: "s", sessionToken: "st", region: "eu-west-1" },
    ],
    [
      "OAuth as an expiring bearer",
      { OAuth: { access_token: "o", expires_at: 10 } },
      { kind: "bearer", token: "o", expiresAt: 10_000 },
    ],
  ])("decodes %s", (_name, value, credential) => {
    expect(decodeRattlerValue(value)).toEqual({ ok: true, credential });
  });

  it.each([
    ["a string", "token", "value"],
    ["two kinds", { BearerToken: "a", CondaToken: "b" }, "kind"],
    ["an unknown kind", { ApiKey: "x" }, "kind"],
    ["a miscased kind", { BasicHttp: { username: "u", password: "p" } }, "kind"],
    ["an empty bearer", { BearerToken: "" }, "value"],
    ["basic without password", { BasicHTTP: { username: "u" } }, "value"],
    ["s3 without secret", { S3Credentials: { access_key_id: "a" } }, "value"],
    ["oauth with a string expiry", { OAuth: { access_token: "a", expires_at: "soon" } }, "value"],
  ])("rejects %s", (_why, value, problem) => {
    const r = decodeRattlerValue(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toBe(problem);
  });

  it("suggests the right spelling of a miscased kind", () => {
    const r = decodeRattlerValue({ BasicHttp: { username: "u", password: "p" } });
    expect(!r.ok && r.reason).toContain("did you mean BasicHTTP");
  });

  it("round-trips every kind rattler can store", () => {
    const cred = fc.oneof(
      fc.record({ kind: fc.constant("bearer" as const), token: fc.string({ minLength: 1 }) }),
      fc.record({ kind: fc.constant("conda-token" as const), token: fc.string({ minLength: 1 }) }),
      fc.record({ kind: fc.constant("basic" as const), username: fc.string(), password: fc.string() }),
      fc.record(
        {
          kind: fc.constant("s3" as const),
          accessKeyId: fc.string({ minLength: 1 }),
          secretAccessKey: fc.string({ minLength: 1 }),
          sessionToken: fc.string({ minLength: 1 }),
          region: fc.string({ minLength: 1 }),
        },
        { requiredKeys: ["kind", "accessKeyId", "secretAccessKey"] },
      ),
    );
    fc.assert(
      fc.property(cred, (c) => {
        const decoded = decodeRattlerValue(JSON.parse(JSON.stringify(encodeRattlerValue(c as Credential))));
        expect(decoded).toEqual({ ok: true, credential: c });
      }),
    );
  });

  it.each<[string, Credential]>([
    ["a custom header", { kind: "header", name: "X-API-Key", value: "v" }],
    ["an expiring bearer", { kind: "bearer", token: "t", expiresAt: 1 }],
    ["allowInsecureHttp", { kind: "bearer", token: "t", allowInsecureHttp: true }],
  ])("refuses to encode %s (rattler could not read it back)", (_why, credential) => {
    expect(unencodableReason(credential)).toBeDefined();
    expect(() => encodeRattlerValue(credential)).toThrow(TypeError);
  });
});

describe("parseCredentialsJson", () => {
  it("reads the rattler fixture: every kind, wildcard, path prefix, s3 key", () => {
    const { table, problems } = parseCredentialsJson(fixture("credentials.json.txt"));
    expect(problems).toEqual([]);
    expect(table.match("https://repo.prefix.dev/channel/x")?.value).toEqual({
      kind: "bearer",
      token: "fixture-bearer-prefix",
    });
    expect(table.match("https://otherhost.com/x")?.value).toMatchObject({
      kind: "basic",
      username: "fixture-user",
    });
    expect(table.match("https://anaconda.org/ch/noarch/repodata.json")?.value).toEqual({
      kind: "conda-token",
      token: "fixture-conda-token",
    });
    expect(table.match("s3://my-bucket/channel/x")?.value).toMatchObject({
      kind: "s3",
      accessKeyId: "AKIAFIXTURE",
    });
    expect(table.match("https://repo.example.com/private/pkg")?.value).toMatchObject({
      username: "private-user",
    });
    expect(table.match("https://repo.example.com/public/pkg")).toBeUndefined();
    expect(table.match("https://login.example.com/x")?.value).toEqual({
      kind: "bearer",
      token: "fixture-oauth-access",
      expiresAt: 4102444800_000,
    });
  });

  it("reports an unknown kind at the line of its key and keeps the good entries", () => {
    const { table, problems } = parseCredentialsJson(fixture("unknown-kind.json.txt"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ problem: "kind", line: 5, column: 3 });
    expect(problems[0]!.message).toContain("bad.example.com");
    expect(problems[0]!.message).not.toContain("fixture-unknown-kind-secret");
    expect(table.match("https://good.example.com/")?.value).toEqual({
      kind: "bearer",
      token: "fixture-good",
    });
  });

  it("reports a syntax error at its line, without quoting the file", () => {
    const { problems } = parseCredentialsJson(fixture("bad-syntax.json.txt"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ problem: "syntax", line: 8, column: 3 });
    expect(problems[0]!.message).not.toContain("fixture-syntax-secret");
  });

  it.each([
    ['{"*": {"BearerToken": "x"}}', "key", 1],
    ['{\n"a.com": {"BearerToken": "x"},\n"A.com/": {"BearerToken": "y"}\n}', "duplicate", 3],
    ["[1, 2]", "value", 1],
    ['{"a.com": {"BearerToken": 5}}', "value", 1],
  ])("reports %j as a %s problem at line %i", (text, problem, line) => {
    const { problems } = parseCredentialsJson(text);
    expect(problems[0]).toMatchObject({ problem, line });
  });

  it("reads an empty file as no entries", () => {
    expect(parseCredentialsJson("  \n").problems).toEqual([]);
    expect(parseCredentialsJson("{}").table.size).toBe(0);
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const r = parseCredentialsJson(text);
        for (const p of r.problems) expect(p.line ?? 1).toBeGreaterThanOrEqual(1);
      }),
    );
  });
});
