import type { Middleware } from "@switchyard/core";
import { HttpResponse, InvalidOptionsError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { isConformanceError } from "./conformance-error.ts";
import type { ConformanceTestApi } from "./describe-conformance.ts";
import { describeConformance } from "./describe-conformance.ts";

const passThrough = (): Middleware => ({ name: "pass-through", stage: "send", handle: (r, next) => next(r) });
const swallowsErrors = (): Middleware => ({
  name: "swallows-errors",
  stage: "send",
  handle: (r, next) => next(r).catch(() => new HttpResponse({ status: 200, url: r.url, body: null })),
});

const MiB = 1024 * 1024;
const FAST = { bodySize: 32 * MiB, memoryLimit: 16 * MiB };

// The vitest flavour for real: these tests are registered by the suite and must pass.
describeConformance(passThrough, {
  test: { describe, it },
  title: "describeConformance(passThrough)",
  ...FAST,
});

interface Registered {
  readonly describes: string[];
  readonly tests: { name: string; body: () => Promise<void>; timeout: number | undefined }[];
  readonly skipped: string[];
}

function recordingApi(): { api: ConformanceTestApi; seen: Registered } {
  const seen: Registered = { describes: [], tests: [], skipped: [] };
  const itFn = (name: string, body: () => Promise<void>, timeout?: number) => {
    seen.tests.push({ name, body, timeout });
  };
  const api: ConformanceTestApi = {
    describe: (name, body) => {
      seen.describes.push(name);
      body();
    },
    it: Object.assign(itFn, { skip: (name: string) => void seen.skipped.push(name) }),
  };
  return { api, seen };
}

describe("describeConformance", () => {
  it("registers one describe block with one test per check, skips with their reason", () => {
    const { api, seen } = recordingApi();
    describeConformance(passThrough, {
      test: api,
      ...FAST,
      checkTimeout: 5000,
      skip: { streaming: "the plugin never sees bodies" },
    });
    expect(seen.describes).toEqual(["switchyard conformance"]);
    expect(seen.tests.map((t) => t.name)).toEqual([
      "declares a valid name and stage [name-and-stage]",
      "never mutates the request it was given [no-mutation]",
      "propagates aborts as core's AbortError, promptly [abort]",
      "never swallows errors [errors]",
      "works when next is called more than once [next-twice]",
      "leaves no listener, timer or socket behind [no-leftovers]",
      "never leaks a planted secret into errors or events [no-secret-leak]",
    ]);
    expect(seen.tests.every((t) => t.timeout === 15_000)).toBe(true);
    expect(seen.skipped).toEqual([
      "streams request and response bodies without buffering them [streaming] (skipped: the plugin never sees bodies)",
      "composes with official plugins [companions] (skipped: no companions given (options.companions))",
    ]);
  });

  it("makes a registered test fail with the check's ConformanceError", async () => {
    const { api, seen } = recordingApi();
    describeConformance(swallowsErrors, { test: api, ...FAST });
    const errors = seen.tests.find((t) => t.name.endsWith("[errors]"));
    const error = await errors?.body().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isConformanceError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^errors: .*swallowed the error/);
  });

  it("needs the test functions when vitest runs without globals", () => {
    expect(() => describeConformance(passThrough)).toThrow(/pass \{ test: \{ describe, it \} \}/);
    expect(() => describeConformance(passThrough, { test: { describe, it: (() => {}) as never } })).toThrow(
      InvalidOptionsError,
    );
  });

  it("validates options before registering anything", () => {
    const { api, seen } = recordingApi();
    expect(() => describeConformance(passThrough, { test: api, memoryLimit: 0 })).toThrow(/memoryLimit/);
    expect(seen.describes).toEqual([]);
  });
});
