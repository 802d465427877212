import assert from "node:assert/strict";
import { InvalidOptionsError, SwitchyardError } from "@switchyard/core";
import type { ConformanceTestApi } from "./describe-conformance.ts";
import { globalTestApi } from "./global-test-api.ts";

/**
 * The call every case's error is built for: put it among the constructor arguments where the class
 * takes its `{ method, url }`, so the suite can check that the message names the call once.
 */
export const ERROR_CASE_WHERE: { readonly method: "GET"; readonly url: "https://x.test/a" } = Object.freeze({
  method: "GET",
  url: "https://x.test/a",
});

/** One error class a package exports, with its guard and arguments to build one. */
export interface ErrorClassCase {
  /** The guard's export name, e.g. `"isOciAuthError"`. */
  readonly guard: string;
  /** The class's export name, e.g. `"OciAuthError"`. */
  readonly class: string;
  /** Its stable code, e.g. `"SWITCHYARD_ERR_OCI_AUTH"`. */
  readonly code: string;
  /** Constructor arguments, holding {@link ERROR_CASE_WHERE} where the class takes the call. */
  readonly args: readonly unknown[];
  /**
   * Classes of the same module whose errors are errors of this class too (subclasses): this guard
   * answers true for them, where it must answer false for every other case.
   * @default []
   */
  readonly subclasses?: readonly string[] | undefined;
}

/** Options of {@link describeErrorClasses}. */
export interface DescribeErrorClassesOptions {
  /** The module that exports the classes and guards (the package's entry or its errors file). */
  readonly module: object;
  /**
   * A second, separately loaded instance of the same module and of core, as a second installed
   * copy of the package would be: with vitest, `vi.resetModules()` then `import(...)` again.
   */
  readonly loadCopy: () => Promise<object>;
  readonly cases: readonly ErrorClassCase[];
  /** `describe` and `it` from your test framework. @default the global ones */
  readonly test?: ConformanceTestApi;
  /** The title of the `describe` block. @default "error classes" */
  readonly title?: string;
}

type ErrorClass = (new (...args: unknown[]) => SwitchyardError) & { readonly code?: string };
type Guard = (value: unknown) => boolean;

/**
 * Registers, for each error class a package exports, the checks every Switchyard error class
 * passes (four tests per class):
 * 1. the instance is a `SwitchyardError`; it and the class carry the code; the guard says true for it and false for other
 *    cases (bar declared subclasses), `undefined`, `null`, a plain `Error`, a look-alike object and
 *    a bare `SwitchyardError` with the same code;
 * 2. the guard and `instanceof` recognise an error from another copy of the package and of core
 *    (the brand is the code, not the class object);
 * 3. the message names the call once, in front: `GET https://x.test/a: ...`;
 * 4. another library's class with the same name is neither guarded nor `instanceof`.
 *
 * @example
 * import { describe, it, vi } from "vitest";
 * import { describeErrorClasses, ERROR_CASE_WHERE } from "@switchyard/testkit/conformance";
 * import * as errors from "./errors.ts";
 *
 * describeErrorClasses({
 *   module: errors,
 *   loadCopy: async () => (vi.resetModules(), import("./errors.ts")),
 *   cases: [{ guard: "isQuotaError", class: "QuotaError", code: "ACME_ERR_QUOTA", args: ["over", ERROR_CASE_WHERE] }],
 *   test: { describe, it },
 * });
 */
export function describeErrorClasses(options: DescribeErrorClassesOptions): void {
  const { module, loadCopy, cases, title = "error classes" } = options;
  const api = options.test ?? globalTestApi();
  if (api === undefined) {
    throw new InvalidOptionsError(
      "describeErrorClasses needs test: { describe, it } from your test framework",
    );
  }
  if (typeof loadCopy !== "function") throw new InvalidOptionsError("loadCopy must be a function");
  const here = module as Record<string, unknown>;
  for (const c of cases) {
    if (typeof here[c.class] !== "function" || typeof here[c.guard] !== "function") {
      throw new InvalidOptionsError(`the module exports no ${c.class} or no ${c.guard}`);
    }
  }
  const build = (m: Record<string, unknown>, c: ErrorClassCase) => new (m[c.class] as ErrorClass)(...c.args);
  const guard = (c: ErrorClassCase) => here[c.guard] as Guard;

  api.describe(title, () => {
    for (const c of cases) {
      api.it(`${c.guard} is true for a ${c.class} (code ${c.code}), false for anything else`, async () => {
        const error = build(here, c);
        assert.ok(error instanceof SwitchyardError, `a ${c.class} is not a SwitchyardError`);
        assert.equal(error.code, c.code);
        assert.equal((here[c.class] as ErrorClass).code, c.code);
        assert.equal(guard(c)(error), true);
        for (const other of cases) {
          if (other.class === c.class || c.subclasses?.includes(other.class)) continue;
          assert.equal(guard(c)(build(here, other)), false, `${c.guard} said true for a ${other.class}`);
        }
        const code = c.code;
        for (const value of [undefined, null, new Error("x"), { code }, new SwitchyardError(code, "x")]) {
          assert.equal(guard(c)(value), false, `${c.guard} said true for ${String(value)}`);
        }
      });

      api.it(`${c.guard} recognises a ${c.class} from another copy of the package and core`, async () => {
        const copy = (await loadCopy()) as Record<string, unknown>;
        assert.notEqual(copy[c.class], here[c.class], "loadCopy returned the same module instance");
        assert.equal(guard(c)(build(copy, c)), true);
        assert.ok(build(here, c) instanceof (copy[c.class] as ErrorClass));
      });

      api.it(`${c.class} names the call once, in front of its message`, async () => {
        const { message } = build(here, c);
        const { method, url } = ERROR_CASE_WHERE;
        assert.ok(message.startsWith(`${method} ${url}: `), `message: ${message}`);
        assert.equal(message.indexOf(url), message.lastIndexOf(url), `message: ${message}`);
      });

      api.it(`${c.guard} is not fooled by another library's class named ${c.class}`, async () => {
        class Foreign extends SwitchyardError {
          constructor() {
            super("ACME_ERR", "x");
          }
        }
        Object.defineProperty(Foreign, "name", { value: c.class });
        assert.equal(guard(c)(new Foreign()), false);
        assert.equal(new Foreign() instanceof (here[c.class] as ErrorClass), false);
      });
    }
  });
}
