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
