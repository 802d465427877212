import { InvalidOptionsError, SwitchyardError, type SwitchyardErrorOptions } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import type { ConformanceTestApi } from "./describe-conformance.ts";
import { describeErrorClasses, ERROR_CASE_WHERE, type ErrorClassCase } from "./describe-error-classes.ts";

// A module as a plugin would write it: branded by code (the base class's static `code`).
function goodModule() {
  class QuotaError extends SwitchyardError {
    static readonly code = "ACME_ERR_QUOTA";
    constructor(message: string, where: SwitchyardErrorOptions) {
      super(QuotaError.code, message, where);
    }
  }
  return { QuotaError, isQuotaError: (v: unknown): boolean => v instanceof QuotaError };
}

// Branded by class object: another copy's errors are not recognised.
function classBoundModule() {
  class QuotaError extends Error {
    static readonly code = "ACME_ERR_QUOTA";
    readonly code = QuotaError.code;
    constructor(message: string, where: SwitchyardErrorOptions) {
      super(`${String(where.method)} ${String(where.url)}: ${message}`);
    }
  }
  return { QuotaError, isQuotaError: (v: unknown): boolean => v instanceof QuotaError };
}

const cases: ErrorClassCase[] = [
  { guard: "isQuotaError", class: "QuotaError", code: "ACME_ERR_QUOTA", args: ["over", ERROR_CASE_WHERE] },
];

/** Registers the suite on a recording API and runs every test, answering name -> error (or undefined). */
async function run(make: () => object): Promise<Map<string, unknown>> {
  const bodies: [string, () => Promise<void>][] = [];
  const api = {
    describe: (_name: string, body: () => void) => body(),
    it: Object.assign((name: string, body: () => Promise<void>) => bodies.push([name, body]), {
      skip: () => undefined,
    }),
  } as ConformanceTestApi;
  describeErrorClasses({ module: make(), loadCopy: async () => make(), cases, test: api });
  const results = new Map<string, unknown>();
  for (const [name, body] of bodies) {
    results.set(
      name,
      await body().then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
  }
  return results;
}

describe("describeErrorClasses", () => {
  it("passes all four checks for a class branded by its code", async () => {
    const results = await run(goodModule);
    expect(results.size).toBe(4);
    expect([...results.values()]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("fails a class that is not a SwitchyardError or is recognised only by its class object", async () => {
    const failed = [...(await run(classBoundModule))]
      .filter(([, error]) => error !== undefined)
      .map(([n]) => n);
    expect(failed).toEqual([
      "isQuotaError is true for a QuotaError (code ACME_ERR_QUOTA), false for anything else",
      "isQuotaError recognises a QuotaError from another copy of the package and core",
    ]);
  });

  it("refuses a module that lacks a named class or guard, and a missing test API", () => {
    const api = { describe: () => undefined, it: Object.assign(() => undefined, { skip: () => undefined }) };
    expect(() => describeErrorClasses({ module: {}, loadCopy: async () => ({}), cases, test: api })).toThrow(
      InvalidOptionsError,
    );
  });
});
