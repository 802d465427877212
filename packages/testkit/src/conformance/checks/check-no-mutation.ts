import { HttpRequest } from "@switchyard/core";
import { causeChain, describeError } from "../cause-chain.ts";
import type { CheckContext } from "../check-context.ts";

interface RequestSnapshot {
  readonly url: string;
  readonly parsedUrl: string;
  readonly method: string;
  readonly headers: string;
  readonly body: unknown;
  readonly options: string;
  readonly signal: AbortSignal | undefined;
}

function snapshot(request: HttpRequest): RequestSnapshot {
  const { signal, ...rest } = request.options;
  return {
    url: request.url,
    parsedUrl: request.parsedUrl.href,
    method: request.method,
    headers: JSON.stringify([...request.headers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    body: request.body,
    options: JSON.stringify(rest),
    signal,
  };
}

// Writes to a frozen object throw in strict code (every ES module): these are V8's messages.
const FROZEN_WRITE = /read[- ]only|frozen|not extensible|Cannot (assign|add|delete|define)/i;

/**
 * The middleware never changes the request it was handed. The request (its own fields, headers
 * object and record, options) is frozen, so an assignment throws; what freezing cannot guard
 * (the cached parsed URL, the body's bytes) is compared with a deep snapshot taken before the call:
 * URL, parsed URL, method, headers, options, signal and body identity and bytes.
 */
export async function checkNoMutation(ctx: CheckContext): Promise<void> {
  const controller = new AbortController();
  const body = new Uint8Array(4096).map((_, i) => (i * 31) & 0xff);
  const bytes = body.slice();
  const request = new HttpRequest(ctx.url("upload", { query: { q: "conformance" } }), {
    method: "POST",
    headers: {
      "content-type": "application/octet-stream",
      "x-conformance": "original",
      accept: "application/json",
    },
    body,
    signal: controller.signal,
    redirect: "manual",
    maxRedirects: 3,
  });
  const before = snapshot(request);
  Object.freeze(request.options);
  Object.freeze(request.headers.toRecord());
  Object.freeze(request.headers);
  Object.freeze(request);

  const client = ctx.client();
  try {
    const response = await client.request(request);
    await response.text();
  } catch (error) {
    const write = causeChain(error).find((e) => e instanceof TypeError && FROZEN_WRITE.test(e.message));
    if (write !== undefined) {
      ctx.fail(
        `the middleware wrote to the request it was given (${(write as Error).message}); derive a new one with request.with({ ... })`,
        error,
      );
    }
    ctx.fail(`the call failed: ${describeError(error)}`, error);
  }

  const after = snapshot(request);
  const changed: string[] = [];
  for (const key of Object.keys(before) as (keyof RequestSnapshot)[]) {
    if (before[key] !== after[key]) {
      changed.push(
        key === "body" || key === "signal"
          ? `${key} (replaced)`
          : `${key}: ${String(before[key])} -> ${String(after[key])}`,
      );
    }
  }
  if (!body.every((b, i) => b === bytes[i])) changed.push("body bytes (written in place)");
  if (changed.length > 0) {
    ctx.fail(
      `the request the middleware was given changed during the call: ${changed.join("; ")}. Never mutate a request: derive one with request.with({ ... })`,
    );
  }
}
