import { describe, expect, it } from "vitest";
import { CACHE_MODES, checkCacheMode } from "./cache-mode.ts";
import { InvalidRequestError } from "./errors.ts";
import { HttpRequest } from "./request.ts";

describe("cache mode", () => {
  it.each(CACHE_MODES)("carries %s on the request and keeps it through with()", (mode) => {
    const request = new HttpRequest("https://example.test/", { cache: mode });
    expect(request.options.cache).toBe(mode);
    expect(request.with({ url: "https://other.test/" }).options.cache).toBe(mode);
  });

  it("leaves the option out when none is given", () => {
    expect(new HttpRequest("https://example.test/").options.cache).toBeUndefined();
  });

  it.each([["reloaded"], [""], [1], [null]])(
    "refuses %j with InvalidRequestError naming the modes",
    (bad) => {
      expect(() => checkCacheMode(bad)).toThrow(InvalidRequestError);
      expect(() => new HttpRequest("https://example.test/", { cache: bad as never })).toThrow(
        /cache must be one of default, no-store, reload, no-cache, force-cache, only-if-cached/,
      );
    },
  );
});
