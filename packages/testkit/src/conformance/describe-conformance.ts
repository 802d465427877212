import { InvalidOptionsError } from "@switchyard/core";
import type { ConformanceOptions, MiddlewareFactory } from "./conformance-options.ts";
import { resolveConformanceOptions } from "./conformance-options.ts";
import { planConformance } from "./conformance-plan.ts";
import { globalTestApi } from "./global-test-api.ts";

/**
 * The few test-framework functions the suite registers with: vitest's (or jest's) `describe` and
 * `it` (with `it.skip`). Passed in, so that the suite itself never imports a test framework.
 */
export interface ConformanceTestApi {
  readonly describe: (name: string, body: () => void) => unknown;
  readonly it: ((name: string, body: () => Promise<void>, timeout?: number) => unknown) & {
    readonly skip: (name: string, body: () => void) => unknown;
  };
}

/** Options of {@link describeConformance}: the run's options plus how to register tests. */
export interface DescribeConformanceOptions extends ConformanceOptions {
  /**
   * `describe` and `it` from your test framework: `{ describe, it }` imported from `"vitest"`.
   * @default the global `describe` and `it` (vitest with `globals: true`, jest)
   */
  readonly test?: ConformanceTestApi;
  /** The title of the `describe` block. @default "switchyard conformance" */
  readonly title?: string;
}

/**
 * Registers the conformance checks as tests: one `describe` block with one `it` per check (a
 * skipped check becomes `it.skip` with its reason in the title). Each test runs one check against
 * a fresh middleware from `factory` and fails with the check's ConformanceError. Options are
 * validated at once: bad ones throw InvalidOptionsError synchronously.
 *
 * @example
 * import { describe, it } from "vitest";
 * import { describeConformance } from "@switchyard/testkit/conformance";
 * import { requestId } from "../src/index.ts";
 *
 * describeConformance(() => requestId(), { test: { describe, it }, bodySize: 64 * 2 ** 20, memoryLimit: 32 * 2 ** 20 });
 */
export function describeConformance(
  factory: MiddlewareFactory,
  options: DescribeConformanceOptions = {},
): void {
  if (typeof factory !== "function") {
    throw new InvalidOptionsError(
      "describeConformance needs a factory: a function returning a fresh middleware",
    );
  }
  const { test, title, ...rest } = options;
  const api = test ?? globalTestApi();
  if (api === undefined) {
    throw new InvalidOptionsError(
      'describeConformance needs the test functions: pass { test: { describe, it } } with describe and it imported from "vitest"',
    );
  }
  if (
    typeof api.describe !== "function" ||
    typeof api.it !== "function" ||
    typeof api.it.skip !== "function"
  ) {
    throw new InvalidOptionsError("test must hold describe, it and it.skip functions");
  }
  const resolved = resolveConformanceOptions(rest);
  const plan = planConformance(factory, resolved);
  api.describe(title ?? "switchyard conformance", () => {
    for (const check of plan) {
      if (check.skip !== undefined) {
        api.it.skip(`${check.title} [${check.id}] (skipped: ${check.skip})`, () => {});
      } else {
        api.it(`${check.title} [${check.id}]`, () => check.run(), resolved.checkTimeout + 10_000);
      }
    }
  });
}
