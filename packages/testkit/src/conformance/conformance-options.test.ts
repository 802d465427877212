import { InvalidOptionsError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import type { ConformanceOptions } from "./conformance-options.ts";
import { resolveConformanceOptions } from "./conformance-options.ts";

const MiB = 1024 * 1024;

describe("resolveConformanceOptions", () => {
  it("fills in the defaults", () => {
    const resolved = resolveConformanceOptions();
    expect(resolved).toMatchObject({
      skip: {},
      companions: {},
      channels: [],
      bodySize: 256 * MiB,
      memoryLimit: 64 * MiB,
      abortWithin: 1000,
      checkTimeout: 60_000,
      quietWithin: 2000,
      client: {},
    });
    expect(resolved.transformUrl("http://x/")).toBe("http://x/");
  });

  it.each<[string, ConformanceOptions, RegExp]>([
    [
      "a body that fits under the limit",
      { bodySize: 10 * MiB, memoryLimit: 8 * MiB },
      /at least twice memoryLimit/,
    ],
    ["a zero limit", { memoryLimit: 0 }, /memoryLimit must be a positive integer/],
    ["a fractional body", { bodySize: 1.5 }, /bodySize must be a positive integer/],
    ["a negative abort bound", { abortWithin: -1 }, /abortWithin/],
    ["an unknown check to skip", { skip: { streeming: "typo" } }, /skip.streeming names no check/],
    ["a skip without a reason", { skip: { streaming: " " } }, /needs a reason/],
    ["a companion skip for no companion", { skip: { "companion:retry": "x" } }, /names no check/],
    ["a companion that is not a factory", { companions: { retry: {} as never } }, /companions.retry/],
    ["channels that are not names", { channels: [""] }, /channels/],
    ["a transformUrl that is not a function", { transformUrl: "x" as never }, /transformUrl/],
  ])("refuses %s", (_, options, message) => {
    expect(() => resolveConformanceOptions(options)).toThrow(InvalidOptionsError);
    expect(() => resolveConformanceOptions(options)).toThrow(message);
  });

  it("accepts a companion skip for a companion it was given", () => {
    const resolved = resolveConformanceOptions({
      companions: { retry: () => ({ name: "r", stage: "policy", handle: (r, n) => n(r) }) },
      skip: { "companion:retry": "needs a registry" },
    });
    expect(resolved.skip).toEqual({ "companion:retry": "needs a registry" });
  });
});
