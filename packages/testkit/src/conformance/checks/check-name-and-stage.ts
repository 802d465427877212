import { isStage, STAGES, validateMiddleware } from "@switchyard/core";
import type { CheckContext } from "../check-context.ts";

// The name becomes a segment of `switchyard:<name>:<event>` channels and of error messages.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The middleware is an object with a non-empty `name` that can be a channel segment (letters,
 * digits, `.`, `_`, `-`; at most 64 characters), a `stage` core knows (`isStage`) and a
 * `handle` function; core's own `validateMiddleware` accepts it.
 */
export function checkNameAndStage(ctx: CheckContext): Promise<void> {
  const [m] = ctx.underTest();
  if (m === undefined) return Promise.resolve();
  try {
    validateMiddleware([m]);
  } catch (error) {
    ctx.fail(`core refuses the middleware: ${(error as Error).message}`, error);
  }
  if (!NAME.test(m.name)) {
    ctx.fail(
      `name ${JSON.stringify(m.name)} is not a valid plugin name: use letters, digits, ".", "_" or "-" (at most 64), as it becomes part of switchyard:<name>:<event> channels`,
    );
  }
  if (!isStage(m.stage)) ctx.fail(`stage ${String(m.stage)} is not one of ${STAGES.join(", ")}`);
  return Promise.resolve();
}
