import { describe, expect, it } from "vitest";
import { type ResponseStep, redirect, stepSequence } from "./response-step.ts";

describe("stepSequence", () => {
  it("plays the steps in order and repeats the last", () => {
    const next = stepSequence([{ status: 503 }, { status: 429 }, { status: 200 }]);
    expect([1, 2, 3, 4, 5].map(() => next().status)).toEqual([503, 429, 200, 200, 200]);
  });

  it("repeats a single step", () => {
    const next = stepSequence({ status: 204 });
    expect([next().status, next().status]).toEqual([204, 204]);
  });

  it("wraps a handler as a step", () => {
    const handler = (): void => {};
    expect(stepSequence(handler)().handler).toBe(handler);
  });

  it.each<[string, ResponseStep]>([
    ["negative delay", { delayMs: -1 }],
    ["zero rate", { bytesPerSec: 0 }],
    ["fractional truncate", { truncateAfterBytes: 1.5 }],
    ["bad status", { status: 42 }],
    ["bad generated body", { body: { size: -5 } }],
  ])("throws at definition on %s", (_name, step) => {
    expect(() => stepSequence([step])).toThrow(RangeError);
  });

  it("refuses an empty script", () => {
    expect(() => stepSequence([])).toThrow(RangeError);
  });
});

describe("redirect", () => {
  it("builds a status + Location step", () => {
    expect(redirect("/next")).toEqual({ status: 302, headers: { location: "/next" } });
    expect(redirect("http://127.0.0.1:1/x", 308).status).toBe(308);
  });
});
