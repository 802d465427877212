import type { Middleware } from "@switchyard/core";
import { describeError } from "../cause-chain.ts";
import type { CheckContext } from "../check-context.ts";
import type { MiddlewareFactory } from "../conformance-options.ts";
import { OK_BODY } from "../conformance-server.ts";

/**
 * The middleware composes with another plugin: both in one client, ordered by stage as a user's
 * list would be, and a plain GET through them answers 200 with the server's body.
 */
export function checkCompanion(
  name: string,
  factory: MiddlewareFactory,
): (ctx: CheckContext) => Promise<void> {
  return async (ctx: CheckContext) => {
    let companion: Middleware;
    try {
      companion = factory();
    } catch (error) {
      ctx.fail(`the companion factory ${name}() threw: ${describeError(error)}`, error);
    }
    let got: string;
    try {
      const response = await ctx.client({ outer: [companion], order: "stage" }).request(ctx.url("ok"));
      got = `${response.status} ${await response.text()}`;
    } catch (error) {
      ctx.fail(`a GET through ${name} and the middleware failed: ${describeError(error)}`, error);
    }
    if (got !== `200 ${OK_BODY}`) {
      ctx.fail(
        `a GET through ${name} and the middleware answered ${JSON.stringify(got)}, expected 200 and the server's body`,
      );
    }
  };
}
