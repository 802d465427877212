import { InvalidOptionsError } from "@switchyard/core";
import type { ConformanceOptions, MiddlewareFactory } from "./conformance-options.ts";
import { resolveConformanceOptions } from "./conformance-options.ts";
import { planConformance } from "./conformance-plan.ts";

/** A check that failed, with the error saying what was observed. */
export interface ConformanceFailure {
  readonly check: string;
  readonly error: Error;
}

/** A check that did not run, with the reason. */
export interface ConformanceSkip {
  readonly check: string;
  readonly reason: string;
}

/** What `runConformance` found. */
export interface ConformanceResult {
  /** Ids of the checks that passed, in run order. */
  readonly passed: readonly string[];
  readonly failed: readonly ConformanceFailure[];
  readonly skipped: readonly ConformanceSkip[];
}

/**
 * Runs every conformance check against the middleware `factory` makes (a fresh one per check),
 * one after the other, each against its own local server, and reports the outcome. Needs no test
 * framework. Pass `null` as the factory to run the checks against core alone (a baseline).
 * Options are validated at once: bad ones throw InvalidOptionsError synchronously.
 *
 * @example
 * const result = await runConformance(() => requestId(), { bodySize: 64 * 2 ** 20, memoryLimit: 32 * 2 ** 20 });
 * for (const { check, error } of result.failed) console.error(check, error.message);
 * process.exitCode = result.failed.length === 0 ? 0 : 1;
 */
export function runConformance(
  factory: MiddlewareFactory | null,
  options: ConformanceOptions = {},
): Promise<ConformanceResult> {
  if (factory !== null && typeof factory !== "function") {
    throw new InvalidOptionsError("runConformance needs a factory: a function returning a fresh middleware");
  }
  const plan = planConformance(factory, resolveConformanceOptions(options));
  return (async () => {
    const passed: string[] = [];
    const failed: ConformanceFailure[] = [];
    const skipped: ConformanceSkip[] = [];
    for (const check of plan) {
      if (check.skip !== undefined) {
        skipped.push({ check: check.id, reason: check.skip });
        continue;
      }
      try {
        await check.run();
        passed.push(check.id);
      } catch (error) {
        failed.push({ check: check.id, error: error as Error });
      }
    }
    return { passed, failed, skipped };
  })();
}
