import diagnosticsChannel from "node:diagnostics_channel";
import { Readable } from "node:stream";
import type { HttpRequest, Middleware, Next } from "@switchyard/core";
import { HttpResponse, InvalidOptionsError, HttpRequest as Request } from "@switchyard/core";
import { afterAll, describe, expect, it } from "vitest";
import type { ConformanceOptions, MiddlewareFactory } from "./conformance-options.ts";
import { formatConformanceResult } from "./format-conformance-result.ts";
import { runConformance } from "./run-conformance.ts";

// Middleware for these tests: one correct, the others each broken in one way.

/** Correct: passes every request through untouched, without an async wrapper. */
function passThrough(): Middleware {
  return { name: "pass-through", stage: "send", handle: (request, next) => next(request) };
}

/** Correct and acting on every request: adds a header with `request.with`. */
function addsHeader(): Middleware {
  return {
    name: "adds-header",
    stage: "authorize",
    handle: (request, next) => next(request.with({ headers: { "x-added": "1" } })),
  };
}

/** Broken: writes a header into the request's own header record. */
function mutatesHeaders(): Middleware {
  return {
    name: "mutates-headers",
    stage: "send",
    handle(request, next) {
      (request.headers.toRecord() as Record<string, string>)["x-mutated"] = "1";
      return next(request);
    },
  };
}

/** Writes to `request.parsedUrl`: core hands out a copy, so the request it was given stays as it was. */
function mutatesUrl(): Middleware {
  return {
    name: "mutates-url",
    stage: "send",
    handle(request, next) {
      request.parsedUrl.searchParams.set("mutated", "1");
      return next(request);
    },
  };
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return parts;
}

/** Broken: reads whole request and response bodies into memory before passing them on. */
function buffersBodies(): Middleware {
  return {
    name: "buffers-bodies",
    stage: "send",
    async handle(request: HttpRequest, next: Next) {
      let sent = request;
      const body = request.body;
      if (body !== undefined && typeof body === "object" && Symbol.asyncIterator in body) {
        sent = request.with({ body: Buffer.concat(await collect(body as AsyncIterable<Uint8Array>)) });
      }
      const response = await next(sent);
      const parts = await collect(response.body);
      return response.with({ body: Readable.from(parts) });
    },
  };
}

/** Broken: turns every failure into an empty 200. */
function swallowsErrors(): Middleware {
  return {
    name: "swallows-errors",
    stage: "send",
    handle: (request, next) =>
      next(request).catch(() => new HttpResponse({ status: 200, url: request.url, body: null })),
  };
}

/** Broken: starts a 30 s timer per call and never clears it. `clear()` clears them for the test. */
function leaksTimer(timers: Set<NodeJS.Timeout>): Middleware {
  return {
    name: "leaks-timer",
    stage: "send",
    handle(request, next) {
      timers.add(setTimeout(() => {}, 30_000));
      return next(request);
    },
  };
}

/** Broken: adds an abort listener to the call's signal and never removes it. */
function leaksSignalListener(): Middleware {
  return {
    name: "leaks-listener",
    stage: "send",
    handle(request, next) {
      request.signal?.addEventListener("abort", () => {});
      return next(request);
    },
  };
}

/** The channel {@link leaksSecretInEvent} publishes on. */
const LEAKY_CHANNEL = "switchyard:leaky:request";
const leaky = diagnosticsChannel.channel(LEAKY_CHANNEL);

/** Broken: publishes the raw URL and every header value in an event. */
function leaksSecretInEvent(): Middleware {
  return {
    name: "leaky",
    stage: "send",
    handle(request, next) {
      if (leaky.hasSubscribers) {
        leaky.publish({ url: request.url, headers: Object.fromEntries(request.headers) });
      }
      return next(request);
    },
  };
}

/** Broken: keeps per-call state in itself, so a second `next` through it fails. */
function singleUse(): Middleware {
  let used = false;
  return {
    name: "single-use",
    stage: "send",
    handle(request, next) {
      if (used) return Promise.reject(new Error("single-use middleware called twice"));
      used = true;
      return next(request);
    },
  };
}

/** Broken: rebuilds the request without its signal, so aborts never reach the transport. */
function dropsSignal(): Middleware {
  return {
    name: "drops-signal",
    stage: "send",
    handle(request, next) {
      const { signal: _dropped, ...options } = request.options;
      const rebuilt = new Request(request.url, {
        ...options,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
      });
      return next(rebuilt);
    },
  };
}

/** Broken: streams responses on, but keeps a copy of every chunk (memory grows with the body). */
function retainsResponseCopy(kept: Buffer[]): Middleware {
  return {
    name: "retains-copy",
    stage: "send",
    async handle(request, next) {
      const response = await next(request);
      const source = response.body;
      async function* copying(): AsyncGenerator<Uint8Array> {
        for await (const chunk of source) {
          kept.push(Buffer.from(chunk as Uint8Array));
          yield chunk as Uint8Array;
        }
      }
      return response.with({ body: Readable.from(copying(), { objectMode: false }) });
    },
  };
}

/** Broken: reads whole response bodies into memory before returning them (requests stream). */
function buffersResponses(): Middleware {
  return {
    name: "buffers-responses",
    stage: "send",
    async handle(request, next) {
      const response = await next(request);
      const parts = await collect(response.body);
      return response.with({ body: Readable.from(parts) });
    },
  };
}

const MiB = 1024 * 1024;
// Small bodies keep the suite's own tests fast; the limit still sits well under the body.
const FAST: ConformanceOptions = { bodySize: 32 * MiB, memoryLimit: 16 * MiB };
const NO_STREAMING: ConformanceOptions = { ...FAST, skip: { streaming: "covered by its own test" } };

async function failedChecks(factory: MiddlewareFactory | null, options: ConformanceOptions) {
  const result = await runConformance(factory, options);
  return { result, failed: result.failed.map((f) => f.check), report: formatConformanceResult(result) };
}

describe("runConformance", () => {
  it("passes a correct pass-through middleware on every check", async () => {
    const result = await runConformance(passThrough, FAST);
    expect(formatConformanceResult(result)).not.toContain("FAIL");
    expect(result.passed).toEqual([
      "name-and-stage",
      "no-mutation",
      "streaming",
      "abort",
      "errors",
      "next-twice",
      "no-leftovers",
      "no-secret-leak",
    ]);
    expect(result.skipped).toEqual([
      { check: "companions", reason: "no companions given (options.companions)" },
    ]);
  });

  it("passes core alone as a baseline (name-and-stage skipped)", async () => {
    const result = await runConformance(null, FAST);
    expect(formatConformanceResult(result)).not.toContain("FAIL");
    expect(result.passed).toHaveLength(7);
    expect(result.skipped.map((s) => s.check)).toEqual(["name-and-stage", "companions"]);
  });

  it("runs one check per companion, ordered by stage with the middleware", async () => {
    const result = await runConformance(passThrough, {
      ...NO_STREAMING,
      companions: { "adds-header": addsHeader, "pass-through": passThrough },
      skip: { ...NO_STREAMING.skip, "companion:pass-through": "same as the subject" },
    });
    expect(formatConformanceResult(result)).not.toContain("FAIL");
    expect(result.passed).toContain("companion:adds-header");
    expect(result.skipped).toContainEqual({ check: "companion:pass-through", reason: "same as the subject" });
  });

  it("points every check at a URL the middleware acts on with transformUrl", async () => {
    let acted = 0;
    // Turns conf: URLs into http: ones, as a resolve-stage plugin turns oci: into https:.
    const resolvesConf = () => ({
      name: "resolves-conf",
      stage: "resolve" as const,
      handle: (request: HttpRequest, next: Next) => {
        if (request.scheme !== "conf") return next(request);
        acted++;
        return next(request.with({ url: request.url.replace(/^conf:/, "http:") }));
      },
    });
    const result = await runConformance(resolvesConf, {
      ...FAST,
      transformUrl: (url) => url.replace(/^http:/, "conf:"),
    });
    expect(formatConformanceResult(result)).not.toContain("FAIL");
    expect(result.passed).toHaveLength(8);
    expect(acted).toBeGreaterThanOrEqual(15); // every call of every check but the stage check
  });

  it("fails a companion that breaks the chain", async () => {
    const { failed } = await failedChecks(passThrough, {
      ...NO_STREAMING,
      companions: {
        broken: () => ({ name: "broken", stage: "policy", handle: () => Promise.reject(new Error("no")) }),
      },
    });
    expect(failed).toEqual(["companion:broken"]);
  });

  it("catches a middleware that writes to the request's headers (no-mutation)", async () => {
    const { failed, result } = await failedChecks(mutatesHeaders, NO_STREAMING);
    expect(failed).toContain("no-mutation");
    expect(result.failed.find((f) => f.check === "no-mutation")?.error.message).toMatch(
      /wrote to the request/,
    );
  });

  it("passes a middleware that writes to parsedUrl: core hands out a copy (no-mutation)", async () => {
    const { failed } = await failedChecks(mutatesUrl, NO_STREAMING);
    expect(failed).toEqual([]);
  });

  it("catches a middleware that buffers bodies (streaming)", async () => {
    const { failed, result } = await failedChecks(buffersBodies, {
      ...FAST,
      skip: { "no-secret-leak": "not what this test is about" },
    });
    expect(failed).toEqual(["streaming"]);
    expect(result.failed[0]?.error.message).toMatch(/buffers request bodies/);
  });

  it("catches a middleware that buffers only response bodies (streaming, by the byte lag)", async () => {
    const { failed, result } = await failedChecks(buffersResponses, {
      ...FAST,
      skip: { abort: "never hands a slow body over" },
    });
    expect(failed).toEqual(["streaming"]);
    expect(result.failed[0]?.error.message).toMatch(/reads response bodies before returning them/);
  });

  it("catches a middleware that keeps a copy of each response chunk (streaming, by live memory)", async () => {
    const kept: Buffer[] = [];
    const only = [
      "name-and-stage",
      "no-mutation",
      "abort",
      "errors",
      "next-twice",
      "no-leftovers",
      "no-secret-leak",
    ];
    const { failed, result } = await failedChecks(() => retainsResponseCopy(kept), {
      ...FAST,
      skip: Object.fromEntries(only.map((c) => [c, "not what this test is about"])),
    });
    expect(kept.length).toBeGreaterThan(0);
    kept.length = 0;
    expect(failed).toEqual(["streaming"]);
    expect(result.failed[0]?.error.message).toMatch(/more memory was live/);
  });

  it("catches a middleware that swallows errors (errors)", async () => {
    const { failed, result } = await failedChecks(swallowsErrors, NO_STREAMING);
    expect(failed).toContain("errors");
    expect(result.failed.find((f) => f.check === "errors")?.error.message).toMatch(/swallowed the error/);
  });

  describe("with a middleware that leaks a timer", () => {
    const timers = new Set<NodeJS.Timeout>();
    afterAll(() => {
      for (const t of timers) clearTimeout(t);
    });

    it("is caught by no-leftovers", async () => {
      const { failed, result } = await failedChecks(() => leaksTimer(timers), {
        ...NO_STREAMING,
        quietWithin: 300,
      });
      expect(failed).toEqual(["no-leftovers"]);
      expect(result.failed[0]?.error.message).toMatch(/Timeout \d+ -> \d+/);
    });
  });

  it("catches a middleware that leaves an abort listener on the signal (no-leftovers)", async () => {
    const { failed, result } = await failedChecks(leaksSignalListener, { ...NO_STREAMING, quietWithin: 300 });
    expect(failed).toEqual(["no-leftovers"]);
    expect(result.failed[0]?.error.message).toMatch(/abort listener/);
  });

  it("catches a middleware that publishes a secret in an event (no-secret-leak)", async () => {
    const { failed, result } = await failedChecks(leaksSecretInEvent, {
      ...NO_STREAMING,
      channels: [LEAKY_CHANNEL],
    });
    expect(failed).toEqual(["no-secret-leak"]);
    const message = result.failed[0]?.error.message ?? "";
    expect(message).toMatch(/the URL password in event \d+ \(switchyard:leaky:request\)\.url/);
    expect(message).toMatch(/Authorization header/);
    expect(message).not.toMatch(/sy-(pw|qt|bt)-/);
  });

  it("does not see the leak when the middleware's channel is not declared", async () => {
    const { failed } = await failedChecks(leaksSecretInEvent, NO_STREAMING);
    expect(failed).toEqual([]);
  });

  it("catches a middleware that cannot take a second next (next-twice)", async () => {
    const { failed } = await failedChecks(singleUse, NO_STREAMING);
    expect(failed).toContain("next-twice");
  });

  it("catches a middleware that drops the signal by rebuilding the request (abort)", async () => {
    const { failed, result } = await failedChecks(dropsSignal, { ...NO_STREAMING, abortWithin: 300 });
    expect(failed).toContain("abort");
    // The rebuilt request joins its call (core accepts a request built anew inside handle), so the
    // check sees what the middleware does wrong: the caller's abort never reaches the transport.
    expect(result.failed.find((f) => f.check === "abort")?.error.message).toMatch(
      /the call resolved with 200 although it was aborted/,
    );
  });

  it("catches a middleware with no valid stage (name-and-stage)", async () => {
    const { failed } = await failedChecks(() => ({ ...passThrough(), stage: "transport" as never }), {
      ...NO_STREAMING,
      skip: {
        ...NO_STREAMING.skip,
        "no-mutation": "x",
        abort: "x",
        errors: "x",
        "next-twice": "x",
        "no-leftovers": "x",
        "no-secret-leak": "x",
      },
    });
    expect(failed).toEqual(["name-and-stage"]);
  });

  it("reports a factory that throws as a failure of each check", async () => {
    const result = await runConformance(() => {
      throw new Error("cannot build");
    }, NO_STREAMING);
    expect(result.passed).toEqual([]);
    expect(result.failed[0]?.error.message).toMatch(/cannot build/);
  });

  it("validates options synchronously", () => {
    expect(() => runConformance(passThrough, { bodySize: 10, memoryLimit: 8 })).toThrow(InvalidOptionsError);
    expect(() => runConformance(passThrough, { skip: { nope: "x" } })).toThrow(/names no check/);
    expect(() => runConformance(passThrough, { skip: { abort: "" } })).toThrow(/needs a reason/);
    expect(() => runConformance(passThrough, { companions: { retry: 1 as never } })).toThrow(
      /companions.retry/,
    );
    expect(() => runConformance("x" as never)).toThrow(/needs a factory/);
  });
});
