import { describe, expect, it } from "vitest";
import { Context } from "./context.ts";
import {
  determineReferrer,
  firstReferer,
  isTrustworthy,
  redirectReferer,
  referrerKey,
  referrerSource,
} from "./fetch-referrer.ts";
import { HttpHeaders } from "./headers.ts";
import { HttpResponse } from "./response.ts";

const FULL = "https://user:pw@site.example/a/b?q=1#frag";

describe("determineReferrer (Node's fetch outside a page)", () => {
  // [policy, referrer, current URL, expected Referer or null]
  const table: [string, string, string, string | null][] = [
    ["", FULL, "https://site.example/x", "https://site.example/a/b?q=1"],
    ["", FULL, "https://other.example/x", "https://site.example/"],
    ["", FULL, "http://other.example/x", null],
    ["", "http://plain.example/p", "http://other.example/x", "http://plain.example/"],
    ["strict-origin-when-cross-origin", FULL, "http://127.0.0.1:8080/x", "https://site.example/"],
    ["no-referrer", FULL, "https://site.example/x", null],
    ["no-referrer-when-downgrade", FULL, "https://other.example/x", "https://site.example/a/b?q=1"],
    ["no-referrer-when-downgrade", FULL, "http://other.example/x", null],
    ["no-referrer-when-downgrade", FULL, "http://localhost:1/x", "https://site.example/a/b?q=1"],
    ["origin", FULL, "https://site.example/x", "https://site.example/"],
    ["strict-origin", FULL, "http://other.example/", null],
    ["strict-origin", FULL, "http://[::1]:1/", "https://site.example/"],
    ["strict-origin", "http://plain.example/p", "http://other.example/", "http://plain.example/"],
    ["unsafe-url", FULL, "http://other.example/", "https://site.example/a/b?q=1"],
    // No page, so no request origin: Node's fetch treats every target as cross-origin here.
    ["same-origin", FULL, "https://site.example/x", null],
    ["origin-when-cross-origin", FULL, "https://site.example/x", "https://site.example/"],
    ["origin-when-cross-origin", FULL, "https://other.example/x", "https://site.example/"],
    // A referrer longer than 4096 characters is cut to its origin.
    [
      "unsafe-url",
      `https://site.example/${"a".repeat(5000)}`,
      "https://site.example/",
      "https://site.example/",
    ],
  ];
  it.each(table)("%s from %s to %s", (policy, referrer, current, expected) => {
    const out = determineReferrer(new URL(referrer), policy, new URL(current));
    expect(out?.href ?? null).toBe(expected);
  });

  it("knows which URLs are potentially trustworthy", () => {
    const yes = [
      "https://a.example/",
      "http://127.0.0.1/",
      "http://127.9.8.7:1/",
      "http://[::1]/",
      "http://localhost/",
      "http://x.localhost/",
      "wss://a.example/",
      "data:,x",
      "about:blank",
    ];
    const no = [
      "http://a.example/",
      "http://128.0.0.1/",
      "http://[::2]/",
      "file:///etc/passwd",
      "ws://a.example/",
      "about:client",
    ];
    for (const url of yes) expect(isTrustworthy(new URL(url)), url).toBe(true);
    for (const url of no) expect(isTrustworthy(new URL(url)), url).toBe(false);
  });
});

describe("referrerSource", () => {
  it("is none for the default, the empty string and local schemes", () => {
    for (const value of [undefined, "", "about:client", "about:blank", "data:,x", "blob:http://a/b"]) {
      expect(referrerSource(value), String(value)).toBeUndefined();
    }
    expect(referrerSource("http://a.example/p")?.href).toBe("http://a.example/p");
  });
  it("throws fetch's TypeError for what is not a URL", () => {
    expect(() => referrerSource("/relative")).toThrow(TypeError);
  });
});

describe("across redirects", () => {
  const response = (url: string, policy?: string) =>
    new HttpResponse({
      status: 302,
      url,
      headers: policy === undefined ? { location: "/" } : { location: "/", "referrer-policy": policy },
    });

  it("is determined again from the previous hop's referrer, under the redirect's Referrer-Policy", () => {
    const first = firstReferer(
      HttpHeaders.EMPTY,
      new URL("https://site.example/p?q#f"),
      "",
      "https://site.example/x",
    );
    expect(first.headers.get("referer")).toBe("https://site.example/p?q");
    const context = new Context().set(referrerKey, first.state!);
    // cross-origin hop: the origin only, and that is now the referrer for later hops
    let headers = redirectReferer(
      first.headers,
      response("https://site.example/x"),
      new URL("https://other.example/"),
      context,
    );
    expect(headers.get("referer")).toBe("https://site.example/");
    // back to the first origin under unsafe-url (last valid token of the header): still only the origin
    headers = redirectReferer(
      headers,
      response("https://other.example/", "nonsense, unsafe-url"),
      new URL("https://site.example/y"),
      context,
    );
    expect(headers.get("referer")).toBe("https://site.example/");
    // a downgrade drops it, and it never comes back
    headers = redirectReferer(
      headers,
      response("https://site.example/y", "strict-origin"),
      new URL("http://plain.example/"),
      context,
    );
    expect(headers.has("referer")).toBe(false);
    expect(context.get(referrerKey)).toBeUndefined();
    expect(
      redirectReferer(headers, response("http://plain.example/"), new URL("https://site.example/"), context),
    ).toBe(headers);
  });

  it("keeps the caller's own Referer before the computed one", () => {
    const own = HttpHeaders.from({ referer: "mine" });
    const first = firstReferer(
      own,
      new URL("https://site.example/p"),
      "unsafe-url",
      "https://site.example/x",
    );
    expect(first.headers.get("referer")).toBe("mine, https://site.example/p");
    const context = new Context().set(referrerKey, first.state!);
    const next = redirectReferer(
      first.headers,
      response("https://site.example/x", "no-referrer"),
      new URL("https://site.example/z"),
      context,
    );
    expect(next.get("referer")).toBe("mine");
  });

  it("does nothing for a call without a referrer", () => {
    const headers = HttpHeaders.from({ a: "1" });
    expect(
      redirectReferer(headers, response("https://a.example/"), new URL("https://b.example/"), new Context()),
    ).toBe(headers);
    expect(
      redirectReferer(headers, response("https://a.example/"), new URL("https://b.example/"), undefined),
    ).toBe(headers);
  });
});
