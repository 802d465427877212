import { describe, expect, it } from "vitest";
import { Context } from "./context.ts";
import {
  isCrossOriginSecret,
  originOf,
  secretHeadersKey,
  stripCrossOriginSecrets,
  withoutCrossOriginSecrets,
} from "./cross-origin.ts";
import { HttpHeaders } from "./headers.ts";
import { HttpRequest } from "./request.ts";

describe("isCrossOriginSecret", () => {
  it.each([
    ["authorization", true],
    ["Proxy-Authorization", true],
    ["cookie", true],
    ["x-api-key", true],
    ["x-amz-security-token", true],
    ["x-auth-token", true],
    ["x-goog-iam-authorization-token", true],
    ["host", true],
    ["x-client-secret", true],
    ["accept", false],
    ["x-trace", false],
    ["range", false],
  ])("%s -> %s", (name, secret) => {
    expect(isCrossOriginSecret(name)).toBe(secret);
  });

  it("adds the caller's names", () => {
    expect(isCrossOriginSecret("X-Session", ["x-session"])).toBe(true);
    expect(isCrossOriginSecret("x-other", ["x-session"])).toBe(false);
  });
});

describe("stripCrossOriginSecrets", () => {
  const request = new HttpRequest("https://a.example/x", {
    headers: { authorization: "Bearer t", "x-api-key": "k", "x-mine": "m", accept: "*/*" },
  });

  it("keeps the same headers object on the same origin", () => {
    expect(stripCrossOriginSecrets(request, "https://a.example:443/y")).toBe(request.headers);
  });

  it("drops the secrets on another host, port or scheme", () => {
    for (const url of ["https://b.example/x", "https://a.example:8443/x", "http://a.example/x"]) {
      expect(stripCrossOriginSecrets(request, url).keys().sort()).toEqual(["accept", "x-mine"]);
    }
  });

  it("reads the call's own names from the context", () => {
    const context = new Context().set(secretHeadersKey, ["x-mine"]);
    expect(stripCrossOriginSecrets(request, "https://b.example/", context).keys()).toEqual(["accept"]);
  });

  it("tells oci: and s3: hosts apart (URL.origin is null for them)", () => {
    expect(originOf("oci://ghcr.io/a")).not.toBe(originOf("oci://quay.io/a"));
    const oci = new HttpRequest("oci://ghcr.io/org/pkg:1", { headers: { "x-auth-token": "t" } });
    expect(stripCrossOriginSecrets(oci, "oci://quay.io/org/pkg:1").has("x-auth-token")).toBe(false);
  });

  it("returns the same object when there is nothing to drop", () => {
    const plain = HttpHeaders.from({ accept: "*/*" });
    expect(withoutCrossOriginSecrets(plain)).toBe(plain);
  });
});
