import type { Credential } from "@switchyard/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { basicAuthorization, insertCondaToken, planCredential } from "./apply-credential.ts";

describe("insertCondaToken", () => {
  it.each([
    [
      "https://conda.example.com/channel/noarch/repodata.json",
      "https://conda.example.com/t/tok/channel/noarch/repodata.json",
    ],
    ["https://conda.example.com/", "https://conda.example.com/t/tok/"],
    ["https://conda.example.com", "https://conda.example.com/t/tok/"],
    ["https://conda.example.com:8443/ch/x?q=1#f", "https://conda.example.com:8443/t/tok/ch/x?q=1#f"],
  ])("%s -> %s", (url, expected) => {
    expect(insertCondaToken(new URL(url), "tok")).toBe(expected);
  });

  it.each([
    "https://c.example.com/t/other/ch/x",
    "https://c.example.com/t/tok",
    "https://c.example.com/t/tok/",
  ])("never inserts twice: %s", (url) => {
    expect(insertCondaToken(new URL(url), "tok")).toBeUndefined();
  });

  it("percent-encodes the token as one segment", () => {
    expect(insertCondaToken(new URL("https://c.example.com/ch"), "a/b c")).toBe(
      "https://c.example.com/t/a%2Fb%20c/ch",
    );
  });

  it("inserting is idempotent and keeps the rest of the path", () => {
    fc.assert(
      fc.property(fc.webPath(), fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), (path, token) => {
        const url = new URL(`https://c.example.com${path.startsWith("/") ? path : `/${path}`}`);
        fc.pre(!/^\/t\/[^/]+(\/|$)/.test(url.pathname));
        const once = insertCondaToken(url, token)!;
        expect(once).toBeDefined();
        expect(insertCondaToken(new URL(once), token)).toBeUndefined();
        expect(new URL(once).pathname).toBe(`/t/${token}${url.pathname}`);
      }),
    );
  });
});

describe("planCredential", () => {
  const url = new URL("https://h.example.com/x");
  const none = () => false;
  it.each<[Credential, object]>([
    [
      { kind: "bearer", token: "t" },
      { action: "header", name: "authorization", value: "Bearer t" },
    ],
    [
      { kind: "basic", username: "ü", password: "p:w" },
      { action: "header", name: "authorization", value: basicAuthorization("ü", "p:w") },
    ],
    [
      { kind: "header", name: "X-API-Key", value: "k" },
      { action: "header", name: "x-api-key", value: "k" },
    ],
    [
      { kind: "conda-token", token: "c" },
      { action: "url", url: "https://h.example.com/t/c/x" },
    ],
    [
      { kind: "s3", accessKeyId: "a", secretAccessKey: "s" },
      { action: "none", reason: "s3-kind" },
    ],
  ])("plans %j", (credential, plan) => {
    expect(planCredential(url, none, credential)).toEqual(plan);
  });

  it("basic is UTF-8 base64 of user:password", () => {
    expect(basicAuthorization("ü", "p:w")).toBe(`Basic ${Buffer.from("ü:p:w", "utf8").toString("base64")}`);
  });

  it("never overwrites a header the request has", () => {
    const has = (n: string) => n === "authorization" || n.toLowerCase() === "x-api-key";
    expect(planCredential(url, has, { kind: "bearer", token: "t" })).toEqual({
      action: "none",
      reason: "header-present",
    });
    expect(planCredential(url, has, { kind: "basic", username: "u", password: "p" })).toMatchObject({
      action: "none",
    });
    expect(planCredential(url, has, { kind: "header", name: "X-API-Key", value: "v" })).toMatchObject({
      action: "none",
    });
  });
});
