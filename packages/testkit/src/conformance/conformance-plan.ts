import { describeError } from "./cause-chain.ts";
import { CheckContext } from "./check-context.ts";
import { checkAbort } from "./checks/check-abort.ts";
import { checkCompanion } from "./checks/check-companion.ts";
import { checkErrors } from "./checks/check-errors.ts";
import { checkNameAndStage } from "./checks/check-name-and-stage.ts";
import { checkNextTwice } from "./checks/check-next-twice.ts";
import { checkNoLeftovers } from "./checks/check-no-leftovers.ts";
import { checkNoMutation } from "./checks/check-no-mutation.ts";
import { checkNoSecretLeak } from "./checks/check-no-secret-leak.ts";
import { checkStreaming } from "./checks/check-streaming.ts";
import { ConformanceError, isConformanceError } from "./conformance-error.ts";
import type {
  ConformanceCheckId,
  MiddlewareFactory,
  ResolvedConformanceOptions,
} from "./conformance-options.ts";
import { CONFORMANCE_CHECKS } from "./conformance-options.ts";
import { ConformanceServer } from "./conformance-server.ts";
import { within } from "./settle.ts";

/** One check as planned for a run: its id, a title for reports, and why it is skipped if it is. */
export interface PlannedCheck {
  readonly id: string;
  readonly title: string;
  /** Why the check does not run, if it does not. */
  readonly skip: string | undefined;
  /** Runs the check against a fresh server; rejects with a ConformanceError when it fails. */
  run(): Promise<void>;
}

type CheckFn = (ctx: CheckContext) => Promise<void>;

const CHECKS: Record<Exclude<ConformanceCheckId, "companions">, { title: string; fn: CheckFn }> = {
  "name-and-stage": { title: "declares a valid name and stage", fn: checkNameAndStage },
  "no-mutation": { title: "never mutates the request it was given", fn: checkNoMutation },
  streaming: { title: "streams request and response bodies without buffering them", fn: checkStreaming },
  abort: { title: "propagates aborts as core's AbortError, promptly", fn: checkAbort },
  errors: { title: "never swallows errors", fn: checkErrors },
  "next-twice": { title: "works when next is called more than once", fn: checkNextTwice },
  "no-leftovers": { title: "leaves no listener, timer or socket behind", fn: checkNoLeftovers },
  "no-secret-leak": { title: "never leaks a planted secret into errors or events", fn: checkNoSecretLeak },
};

/** Runs `fn` against a fresh server, bounded by the check timeout; always cleans up. */
async function runCheck(
  id: string,
  fn: CheckFn,
  factory: MiddlewareFactory | null,
  options: ResolvedConformanceOptions,
): Promise<void> {
  const server = await ConformanceServer.start();
  const ctx = new CheckContext(id, options, server, factory);
  try {
    const outcome = await within(fn(ctx), options.checkTimeout);
    if (outcome === "timeout") {
      throw new ConformanceError(id, `the check did not finish within ${options.checkTimeout} ms`);
    }
  } catch (error) {
    if (isConformanceError(error)) throw error;
    throw new ConformanceError(id, `unexpected error: ${describeError(error)}`, { cause: error });
  } finally {
    await ctx.dispose();
    await server.stop();
  }
}

/**
 * The checks a run performs, in order, with skips applied: `companions` expands to one
 * `companion:<name>` check per companion; with no middleware (`factory` null, the core-alone
 * baseline) `name-and-stage` is skipped.
 */
export function planConformance(
  factory: MiddlewareFactory | null,
  options: ResolvedConformanceOptions,
): PlannedCheck[] {
  const plan: PlannedCheck[] = [];
  for (const id of CONFORMANCE_CHECKS) {
    if (id === "companions") {
      const names = Object.keys(options.companions);
      if (names.length === 0) {
        plan.push(
          planned(
            "companions",
            "composes with official plugins",
            "no companions given (options.companions)",
            async () => {},
          ),
        );
        continue;
      }
      for (const name of names) {
        const check = `companion:${name}`;
        plan.push(
          planned(check, `composes with ${name}`, options.skip[check] ?? options.skip.companions, () =>
            runCheck(check, checkCompanion(name, options.companions[name]!), factory, options),
          ),
        );
      }
      continue;
    }
    const { title, fn } = CHECKS[id];
    const skip =
      options.skip[id] ??
      (factory === null && id === "name-and-stage" ? "no middleware: core alone" : undefined);
    plan.push(planned(id, title, skip, () => runCheck(id, fn, factory, options)));
  }
  return plan;
}

function planned(
  id: string,
  title: string,
  skip: string | undefined,
  run: () => Promise<void>,
): PlannedCheck {
  return { id, title, skip, run };
}
