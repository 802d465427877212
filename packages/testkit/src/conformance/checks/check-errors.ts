import type { HttpResponse, Middleware } from "@switchyard/core";
import { isSwitchyardError } from "@switchyard/core";
import { causeChain, describeError } from "../cause-chain.ts";
import type { CheckContext } from "../check-context.ts";
import { settle } from "../settle.ts";

/** A marker error an inner test middleware throws; it must reach the caller. */
class ConformanceProbe extends Error {
  override name = "ConformanceProbe";
}

function inner(behaviour: "throw" | "reject", probe: ConformanceProbe): Middleware {
  return {
    name: "conformance-inner",
    stage: "send",
    handle() {
      if (behaviour === "throw") throw probe;
      return Promise.reject(probe);
    },
  };
}

async function discard(value: HttpResponse): Promise<number> {
  await value.discard();
  return value.status;
}

/**
 * Errors reach the caller: a server that closes the connection without answering makes the call
 * reject with a Switchyard error (possibly wrapped, e.g. by a retry that gave up); an error thrown
 * synchronously, or returned as a rejection, by a middleware inside the one under test reaches the
 * caller (itself or in the cause chain). A response in place of any of these means it was swallowed.
 */
export async function checkErrors(ctx: CheckContext): Promise<void> {
  const closed = await settle(ctx.client().request(ctx.url("close")));
  if (closed.ok) {
    const status = await discard(closed.value);
    ctx.fail(
      `the server closed the connection without answering, yet the call resolved with ${status}: the middleware swallowed the error`,
    );
  }
  if (!causeChain(closed.error).some((e) => isSwitchyardError(e))) {
    ctx.fail(
      `the server closed the connection and the call rejected with ${describeError(closed.error)}, which is not (and does not wrap) a SwitchyardError`,
      closed.error,
    );
  }

  for (const behaviour of ["throw", "reject"] as const) {
    const probe = new ConformanceProbe(
      `conformance probe (${behaviour}) ${Math.random().toString(36).slice(2)}`,
    );
    const outcome = await settle(ctx.client({ inner: [inner(behaviour, probe)] }).request(ctx.url("ok")));
    const how = behaviour === "throw" ? "threw" : "returned a rejected promise";
    if (outcome.ok) {
      const status = await discard(outcome.value);
      ctx.fail(
        `an inner middleware ${how}, yet the call resolved with ${status}: the middleware swallowed the error`,
      );
    }
    if (!causeChain(outcome.error).includes(probe)) {
      ctx.fail(
        `an inner middleware ${how} an error that did not reach the caller, neither as the error nor in its cause chain; the caller got ${describeError(outcome.error)}`,
        outcome.error,
      );
    }
  }
}
