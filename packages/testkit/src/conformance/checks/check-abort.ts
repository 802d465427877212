import type { HttpResponse } from "@switchyard/core";
import { isSwitchyardError } from "@switchyard/core";
import { causeChain, describeError } from "../cause-chain.ts";
import type { CheckContext } from "../check-context.ts";
import { settle, within } from "../settle.ts";

const ABORT_CODES = new Set(["SWITCHYARD_ERR_ABORTED", "UND_ERR_ABORTED", "ABORT_ERR"]);

async function expectAbort(
  ctx: CheckContext,
  when: string,
  outcome: Promise<unknown>,
  abortedAt: number,
  strict: boolean,
): Promise<void> {
  const result = await within(settle(outcome), ctx.options.abortWithin);
  if (result === "timeout") {
    ctx.fail(
      `${when}: the call had not settled ${ctx.options.abortWithin} ms after abort(); pass request.signal on (request.with keeps it) and stop waiting when it fires`,
    );
  }
  const elapsed = Math.round(performance.now() - abortedAt);
  if (result.ok) {
    const status = (result.value as HttpResponse | undefined)?.status;
    ctx.fail(
      `${when}: the call resolved${status === undefined ? "" : ` with ${status}`} although it was aborted`,
    );
  }
  const { error } = result;
  if (strict) {
    if (!isSwitchyardError(error, "SWITCHYARD_ERR_ABORTED")) {
      ctx.fail(
        `${when}: rejected with ${describeError(error)}; expected core's AbortError (code SWITCHYARD_ERR_ABORTED) within ${elapsed} ms`,
        error,
      );
    }
    return;
  }
  const aborted = causeChain(error).some((e) => {
    const code = (e as { code?: unknown } | null)?.code;
    return (typeof code === "string" && ABORT_CODES.has(code)) || (e as Error | null)?.name === "AbortError";
  });
  if (!aborted)
    ctx.fail(`${when}: rejected with ${describeError(error)}, which does not say it was aborted`, error);
}

/**
 * Aborts propagate: a call with an already aborted signal, a call aborted while the server holds
 * the request, and a body read aborted mid-body each reject within `abortWithin` ms, the first two
 * with core's `AbortError` itself (what callers test for), the body read with an error whose cause
 * chain says it was aborted.
 */
export async function checkAbort(ctx: CheckContext): Promise<void> {
  const client = ctx.client();

  await expectAbort(
    ctx,
    "with an already aborted signal",
    client.request(ctx.url("ok"), { signal: AbortSignal.abort() }),
    performance.now(),
    true,
  );

  const controller = new AbortController();
  const arrived = ctx.server.arrival("hang");
  const call = settle(client.request(ctx.url("hang"), { signal: controller.signal }));
  const first = await Promise.race([arrived.then(() => "arrived" as const), call]);
  if (first !== "arrived") {
    ctx.fail(
      `the call to a server that holds the request settled before the request arrived: ${first.ok ? "resolved" : describeError(first.error)}`,
    );
  }
  const abortedAt = performance.now();
  controller.abort();
  await expectAbort(
    ctx,
    "aborted while waiting for the response",
    call.then((r) => (r.ok ? r.value : Promise.reject(r.error))),
    abortedAt,
    true,
  );

  // A middleware that reads the whole body before answering never hands the response over (the
  // server stalls after 1 KiB): the abort then has to end the call itself.
  const bodyController = new AbortController();
  const bodyArrived = ctx.server.arrival("slow-body");
  const bodyCall = settle(client.request(ctx.url("slow-body"), { signal: bodyController.signal }));
  await Promise.race([bodyArrived, bodyCall]);
  const early = await within(bodyCall, ctx.options.abortWithin);
  if (early === "timeout") {
    const at = performance.now();
    bodyController.abort();
    await expectAbort(
      ctx,
      "aborted while the response body stalls (the response was still not handed over)",
      bodyCall.then((r) => (r.ok ? r.value : Promise.reject(r.error))),
      at,
      true,
    );
    return;
  }
  if (!early.ok) {
    ctx.fail(
      `the call to a server that streams a slow body failed: ${describeError(early.error)}`,
      early.error,
    );
  }
  const reading = early.value.text();
  await new Promise((resolve) => setImmediate(resolve));
  const bodyAbortedAt = performance.now();
  bodyController.abort();
  await expectAbort(ctx, "aborted while reading the response body", reading, bodyAbortedAt, false);
}
