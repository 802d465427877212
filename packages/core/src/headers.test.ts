import { describe, expect, it } from "vitest";
import { HttpHeaders } from "./headers.ts";

describe("HttpHeaders", () => {
  it("is case-insensitive and immutable", () => {
    const a = HttpHeaders.from({ "Content-Type": "text/plain" });
    const b = a.set("X-A", "1");
    expect(a.get("content-type")).toBe("text/plain");
    expect(a.has("x-a")).toBe(false);
    expect(b.get("X-A")).toBe("1");
  });

  it("accumulates repeated names from iterables and WHATWG Headers", () => {
    const web = new Headers([
      ["set-cookie", "a=1"],
      ["set-cookie", "b=2"],
      ["accept", "x"],
    ]);
    const h = HttpHeaders.from(web);
    expect(h.getAll("set-cookie")).toEqual(["a=1", "b=2"]);
    expect([...h]).toContainEqual(["set-cookie", "b=2"]);
  });

  it("delete returns the same object when nothing is removed", () => {
    const h = HttpHeaders.from({ a: "1" });
    expect(h.delete("b")).toBe(h);
    expect(h.delete("A").has("a")).toBe(false);
  });
});

describe("HttpHeaders over a plain record (undici's response headers)", () => {
  it("finds nothing under names of Object.prototype's members", () => {
    const headers = HttpHeaders.trusted({ "content-type": "text/plain" });
    for (const name of ["constructor", "__proto__", "Constructor"]) {
      expect(headers.has(name)).toBe(false);
      expect(headers.get(name)).toBeUndefined();
      expect(headers.getAll(name)).toEqual([]);
      expect(headers.delete(name)).toBe(headers);
    }
    expect(headers.get("content-type")).toBe("text/plain");
  });

  it("still reads a header a server named constructor", () => {
    const headers = HttpHeaders.trusted({ constructor: "yes" } as Record<string, string>);
    expect(headers.get("constructor")).toBe("yes");
    expect(headers.has("Constructor")).toBe(true);
  });
});
