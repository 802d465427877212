import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidRequestId, MAX_REQUEST_ID_LENGTH } from "./is-valid-request-id.ts";

describe("isValidRequestId", () => {
  it.each([
    ["a UUID", "3b241101-e2bb-4255-8caf-4136c566a962", true],
    ["one character", "x", true],
    ["punctuation", "req_1.2:3/4+5=", true],
    ["the longest allowed", "a".repeat(MAX_REQUEST_ID_LENGTH), true],
    ["one too long", "a".repeat(MAX_REQUEST_ID_LENGTH + 1), false],
    ["empty", "", false],
    ["a space inside", "a b", false],
    ["a trailing space", "ab ", false],
    ["CR LF (header injection)", "a\r\nx-evil: 1", false],
    ["a tab", "a\tb", false],
    ["NUL", "a\0", false],
    ["non-ASCII", "idé", false],
    ["a number", 42, false],
    ["undefined", undefined, false],
  ])("%s -> %s", (_, value, expected) => {
    expect(isValidRequestId(value)).toBe(expected);
  });

  it("accepts exactly the strings of 1-200 visible ASCII characters", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 260, unit: "binary-ascii" }), (s) => {
        const visible = [...s].every((c) => c.charCodeAt(0) >= 0x21 && c.charCodeAt(0) <= 0x7e);
        expect(isValidRequestId(s)).toBe(s.length >= 1 && s.length <= MAX_REQUEST_ID_LENGTH && visible);
      }),
      { numRuns: 500 },
    );
  });

  it("accepts every UUID randomUUID makes", () => {
    fc.assert(fc.property(fc.uuid(), (id) => isValidRequestId(id)));
  });
});
