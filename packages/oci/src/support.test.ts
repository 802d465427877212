import { describe, expect, it } from "vitest";
import { parseRegistryErrors } from "./read-body.ts";
import { TokenCache, tokenExpiry } from "./token-cache.ts";
import { parseTokenAnswer } from "./token-exchange.ts";

describe("parseRegistryErrors", () => {
  it.each([
    [
      '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}',
      [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown", detail: { Tag: "x" } }],
    ],
    ['{"errors":[{"code":"DENIED"},{"message":"no code"},7,null]}', [{ code: "DENIED", message: "" }]],
    ['{"errors":{}}', []],
    ["not json", []],
    ["null", []],
    ["", []],
  ])("%s", (text, expected) => {
    expect(parseRegistryErrors(text)).toEqual(expected);
  });
});

describe("TokenCache", () => {
  it("keeps a token until its expiry", () => {
    const cache = new TokenCache(10);
    cache.set("k", "t", 1000);
    expect(cache.get("k", 999)).toBe("t");
    expect(cache.get("k", 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("evicts the least recently used entry past its bound", () => {
    const cache = new TokenCache(2);
    cache.set("a", "1", 10);
    cache.set("b", "2", 10);
    expect(cache.get("a", 0)).toBe("1");
    cache.set("c", "3", 10);
    expect(cache.get("b", 0)).toBeUndefined();
    expect(cache.get("a", 0)).toBe("1");
    expect(cache.get("c", 0)).toBe("3");
    for (let i = 0; i < 1000; i++) cache.set(`x${i}`, "t", 10);
    expect(cache.size).toBe(2);
  });

  it("keeps nothing with a bound of 0", () => {
    const cache = new TokenCache(0);
    cache.set("a", "1", 10);
    expect(cache.get("a", 0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("stays at its bound with a million distinct keys", () => {
    const cache = new TokenCache(256);
    for (let i = 0; i < 1_000_000; i++) cache.set(`k${i}`, "t", 10);
    expect(cache.size).toBe(256);
    expect(cache.get("k999999", 0)).toBe("t");
    expect(cache.get("k0", 0)).toBeUndefined();
  });

  it.each([
    [0, 300, 290_000],
    [0, 60, 54_000],
    [1000, 1, 1900],
  ])("a token received at %d living %d s is used until %d", (at, seconds, until) => {
    expect(tokenExpiry(at, seconds)).toBe(until);
  });
});

describe("parseTokenAnswer", () => {
  it.each([
    ['{"token":"t1","access_token":"t2","expires_in":300}', { token: "t1", expiresIn: 300 }],
    ['{"access_token":"t2","expires_in":5}', { token: "t2", expiresIn: 5 }],
    ['{"token":"","access_token":"t2"}', { token: "t2", expiresIn: 60 }],
    ['{"token":"t","expires_in":-1}', { token: "t", expiresIn: 60 }],
    ['{"token":"t","expires_in":"300"}', { token: "t", expiresIn: 60 }],
    ['{"expires_in":300}', undefined],
    ['"token"', undefined],
    ["null", undefined],
    ["<html>", undefined],
  ])("%s", (text, expected) => {
    expect(parseTokenAnswer(text, 60)).toEqual(expected);
  });
});
