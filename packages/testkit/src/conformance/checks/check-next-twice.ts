import type { HttpResponse, Middleware, Next } from "@switchyard/core";
import { describeError } from "../cause-chain.ts";
import type { CheckContext } from "../check-context.ts";
import { OK_BODY } from "../conformance-server.ts";

/**
 * `next` may be called more than once (retry, failover): an outer test middleware sends the same
 * request through the middleware under test twice, reading the first response before sending the
 * second; both must answer 200 with the server's body. A middleware that keeps per-call state in
 * itself, or consumes something of the request, fails the second time.
 */
export async function checkNextTwice(ctx: CheckContext): Promise<void> {
  const seen: string[] = [];
  const outer: Middleware = {
    name: "conformance-outer",
    stage: "policy",
    async handle(request, next: Next): Promise<HttpResponse> {
      let first: HttpResponse;
      try {
        first = await next(request);
      } catch (error) {
        ctx.fail(`the first call of next failed: ${describeError(error)}`, error);
      }
      seen.push(`${first.status} ${await first.text()}`);
      try {
        return await next(request);
      } catch (error) {
        ctx.fail(`the second call of next with the same request failed: ${describeError(error)}`, error);
      }
    },
  };
  const response = await ctx.client({ outer: [outer] }).request(ctx.url("ok"));
  seen.push(`${response.status} ${await response.text()}`);
  const expected = `200 ${OK_BODY}`;
  seen.forEach((got, i) => {
    if (got !== expected) {
      ctx.fail(`call ${i + 1} of next answered ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
    }
  });
}
