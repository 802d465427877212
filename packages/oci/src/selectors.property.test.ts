// fast-check properties of the platform selector syntax (`os/architecture[/variant]`).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatPlatform, parsePlatform } from "./selectors.ts";

const RUNS = { numRuns: 500 };

describe("parsePlatform / formatPlatform (property)", () => {
  it("formatPlatform then parsePlatform is the identity", () => {
    const part = fc.stringMatching(/^[A-Za-z0-9._-]{1,10}$/);
    fc.assert(
      fc.property(part, part, fc.option(part), (os, architecture, variant) => {
        const platform = variant === null ? { os, architecture } : { os, architecture, variant };
        expect(parsePlatform(formatPlatform(platform))).toEqual(platform);
      }),
      RUNS,
    );
  });

  it("parsePlatform never throws", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        parsePlatform(text);
      }),
      RUNS,
    );
  });
});
