import { InvalidOptionsError } from "@switchyard/core";
import { operationChecks } from "./operation-checks.ts";
import { outageChecks } from "./outage-checks.ts";
import { processChecks } from "./process-checks.ts";
import type { StateStoreCheck } from "./state-store-check.ts";
import type { StateStoreTarget, StateStoreTargetFactory } from "./state-store-target.ts";

/** `describe` and `it` (with `it.skip`) from your test framework; the suite imports none itself. */
export interface StateStoreTestApi {
  readonly describe: (name: string, body: () => void) => unknown;
  readonly it: ((name: string, body: () => Promise<void>, timeout?: number) => unknown) & {
    readonly skip: (name: string, body: () => void) => unknown;
  };
}

/** Options of {@link describeStateStoreConformance}. */
export interface StateStoreConformanceOptions {
  /** `{ describe, it }` imported from `"vitest"` (or jest's). */
  readonly test: StateStoreTestApi;
  /** Check ids to leave out, each with the reason shown in the skipped test's title. @default {} */
  readonly skip?: Readonly<Record<string, string>>;
  /** Time limit of one check in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
}

/** Every check, in the order they run. */
export const STATE_STORE_CHECKS: readonly StateStoreCheck[] = [
  ...operationChecks,
  ...processChecks,
  ...outageChecks,
];

function missing(check: StateStoreCheck, target: StateStoreTarget): string | undefined {
  if (check.needs === "worker" && target.worker === undefined) return "the target gives no worker module";
  if (check.needs === "hang" && !(target.outage?.hang && target.outage.resume))
    return "the target cannot hang";
  if (check.needs === "crash" && !(target.outage?.crash && target.outage.restart))
    return "the target cannot crash and restart";
  return undefined;
}

/**
 * Registers the state-store conformance suite: the semantics of every operation (TTL expiry,
 * keep-the-later, fixed-window counters, setIfAbsent and lease races, subscribe across handles,
 * close), the same races from several real processes, and store-down behaviour through core's
 * `guardStateStore` (hang, crash and restart). Each check gets a fresh target from `factory` and
 * cleans it up. A check the target cannot support (no worker module, no outage control) fails,
 * naming what is missing, so nothing is left out silently: list such checks in `skip` by id, with
 * the reason, and the skipped test's title shows it.
 *
 * @example
 * ```ts
 * import { describe, it } from "vitest";
 * describeStateStoreConformance("sqlite", async () => {
 *   const dir = await mkdtemp(join(tmpdir(), "store-"));
 *   const path = join(dir, "state.db");
 *   return {
 *     open: async () => sqliteStore({ path }),
 *     worker: { module: new URL("./open-sqlite.ts", import.meta.url).href, spec: { path } },
 *     cleanup: () => rm(dir, { recursive: true }),
 *   };
 * }, { test: { describe, it } });
 * ```
 */
export function describeStateStoreConformance(
  name: string,
  factory: StateStoreTargetFactory,
  options: StateStoreConformanceOptions,
): void {
  if (typeof factory !== "function") {
    throw new InvalidOptionsError("describeStateStoreConformance needs a factory returning a fresh target");
  }
  const api = options?.test;
  if (
    typeof api?.describe !== "function" ||
    typeof api.it !== "function" ||
    typeof api.it.skip !== "function"
  ) {
    throw new InvalidOptionsError(
      'pass { test: { describe, it } } with describe and it imported from "vitest"',
    );
  }
  const skip = options.skip ?? {};
  const timeoutMs = options.timeoutMs ?? 30_000;
  api.describe(`state-store conformance: ${name}`, () => {
    for (const check of STATE_STORE_CHECKS) {
      const reason = skip[check.id];
      if (reason !== undefined) {
        api.it.skip(`${check.title} [${check.id}] (skipped: ${reason})`, () => {});
        continue;
      }
      api.it(
        `${check.title} [${check.id}]`,
        async () => {
          const target = await factory();
          try {
            const absent = missing(check, target);
            if (absent !== undefined) {
              throw new Error(
                `check ${check.id} needs what ${name} does not offer (${absent}); list it in skip with a reason`,
              );
            }
            await check.run(target);
          } finally {
            await target.cleanup?.();
          }
        },
        timeoutMs,
      );
    }
  });
}
