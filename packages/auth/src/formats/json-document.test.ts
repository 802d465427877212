import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonDocument } from "./json-document.ts";

describe("parseJsonDocument", () => {
  it("records the line and column of each top-level key, not nested ones", () => {
    const doc = parseJsonDocument(
      '{\n  "a.example.com": {"BearerToken": "x"},\n\n    "b": {"nested": {"c": 1}}\n}',
    );
    expect(doc.ok && doc.keys).toEqual([
      { key: "a.example.com", line: 2, column: 3 },
      { key: "b", line: 4, column: 5 },
    ]);
  });

  it("keeps duplicate keys (the caller reports them)", () => {
    const doc = parseJsonDocument('{"a": 1, "a": 2}');
    expect(doc.ok && doc.keys.map((k) => k.key)).toEqual(["a", "a"]);
  });

  it("unescapes keys", () => {
    const doc = parseJsonDocument('{"\\u0061\\/b": 1}');
    expect(doc.ok && doc.keys[0]!.key).toBe("a/b");
  });

  it.each([
    ['{"a": 1,}', 1, 9],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3],
    ['{"a" 1}', 1, 6],
    ["{'a': 1}", 1, 2],
    ['{"a": [1, 2', 1, 12],
    ['{"a": tru}', 1, 7],
    ['{"a": "unterminated}', 1, 7],
    ['{"a": 01}', 1, 8],
    ["", 1, 1],
    ['{"a": 1} x', 1, 10],
  ])("locates the error in %j at line %i column %i", (text, line, column) => {
    const doc = parseJsonDocument(text);
    expect(doc.ok).toBe(false);
    if (!doc.ok) expect({ line: doc.line, column: doc.column }).toEqual({ line, column });
  });

  it("never quotes the text in its message", () => {
    const doc = parseJsonDocument('{"host": {"BearerToken": "SECRET-TOKEN-1" oops}}');
    expect(doc.ok).toBe(false);
    if (!doc.ok) expect(doc.message).not.toContain("SECRET");
  });

  it("handles deep nesting without recursion", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(parseJsonDocument(deep).ok).toBe(true);
  });
});

describe("parseJsonDocument properties", () => {
  const accepts = (text: string) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };

  it("accepts exactly what JSON.parse accepts, on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        expect(parseJsonDocument(text).ok).toBe(accepts(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts exactly what JSON.parse accepts, on mutated JSON", () => {
    fc.assert(
      fc.property(
        fc.json(),
        fc.nat(),
        fc.constantFrom("", ",", "}", "]", '"', ":", "0", "-", "e", "\\", " "),
        (json, at, insert) => {
          const i = json.length === 0 ? 0 : at % json.length;
          const text = json.slice(0, i) + insert + json.slice(i + 1);
          expect(parseJsonDocument(text).ok).toBe(accepts(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("returns JSON.parse's value and every top-level key of an object", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.constantFrom(0, 2, "\t"),
        (object, indent) => {
          const text = JSON.stringify(object, null, indent);
          const doc = parseJsonDocument(text);
          expect(doc.ok).toBe(true);
          if (!doc.ok) return;
          expect(doc.value).toEqual(JSON.parse(text));
          expect(doc.keys.map((k) => k.key)).toEqual(Object.keys(JSON.parse(text)));
        },
      ),
    );
  });
});
