import { describe, expect, it } from "vitest";
import { normalizeProxyUrl, proxyFor, proxyVariable } from "./env-proxy.ts";
import { shouldProxy } from "./no-proxy.ts";
import { PROXY_ENV_CASES } from "./proxy-env-cases.ts";
import { compileRules, ruleFor } from "./proxy-rules.ts";

const PROXY = "http://proxy.test:3128";

function withProxy(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "P" ? PROXY : v]));
}

describe("proxyFor", () => {
  it.each(PROXY_ENV_CASES.map((c) => [c.url, JSON.stringify(c.env), c.want, c] as const))(
    "%s with %s goes %s",
    (_url, _env, want, c) => {
      const chosen = proxyFor(c.url, withProxy(c.env));
      if (want === "direct") expect(chosen).toBeUndefined();
      else expect(chosen).toBe(PROXY);
    },
  );

  it("keeps userinfo as written, and adds http:// to a value without a scheme", () => {
    expect(proxyFor("https://x.test/", { https_proxy: "http://u:p@proxy:1" })).toBe("http://u:p@proxy:1");
    expect(proxyFor("https://x.test/", { https_proxy: "proxy.corp:3128" })).toBe("http://proxy.corp:3128");
    expect(normalizeProxyUrl(" https://p:1 ")).toBe("https://p:1");
  });

  it("never proxies other schemes", () => {
    expect(proxyFor("ftp://x.test/", { all_proxy: PROXY })).toBeUndefined();
    expect(proxyFor("not a url", { all_proxy: PROXY })).toBeUndefined();
  });

  it("reads no variable other than the scheme's and ALL_PROXY", () => {
    expect(proxyVariable("http:", { HTTP_PROXY: "x" })).toBeUndefined();
    expect(proxyVariable("https:", { HTTPS_PROXY: "y", ALL_PROXY: "z" })).toBe("y");
    expect(proxyVariable("https:", { all_proxy: "a", ALL_PROXY: "z" })).toBe("a");
  });
});

describe("shouldProxy", () => {
  it.each([
    ["http://a.example.com/", undefined, true],
    ["http://a.example.com/", "", true],
    ["http://a.example.com/", "*", false],
    ["http://a.example.com/", "example.com", false],
    ["http://[fd00::1]:8080/", "fd00::/8", false],
    ["http://[fe80::1]/", "fd00::/8", true],
    ["http://10.0.0.1/", "10.0.0.0/33", true],
  ] as const)("%s with NO_PROXY=%s -> %s", (url, noProxy, want) => {
    expect(shouldProxy(url, noProxy)).toBe(want);
  });
});

describe("proxy rules", () => {
  const rules = compileRules([
    { hosts: "registry.corp:5000", proxy: false },
    { hosts: ".corp, 10.0.0.0/8", proxy: "http://inner:3128" },
    { hosts: "[fd00::1]:443", proxy: "http://v6:1" },
  ]);

  it.each([
    ["http://registry.corp:5000/v2/", false],
    ["http://registry.corp/v2/", "http://inner:3128"],
    ["https://a.b.corp/", "http://inner:3128"],
    ["http://10.9.9.9:81/", "http://inner:3128"],
    ["https://[fd00::1]/", "http://v6:1"],
    ["http://[fd00::1]/", undefined],
    ["https://example.com/", undefined],
  ] as const)("%s -> %s", (url, want) => {
    expect(ruleFor(new URL(url), rules)).toBe(want);
  });

  it("refuses bad rules synchronously", () => {
    expect(() => compileRules([{ hosts: " , ", proxy: false }])).toThrow(/hosts must name/);
    expect(() => compileRules([{ hosts: "a", proxy: 3 as never }])).toThrow(/proxy URL or false/);
    expect(() => compileRules("x" as never)).toThrow(/must be an array/);
  });
});
