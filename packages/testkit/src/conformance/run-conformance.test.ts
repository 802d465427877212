import type { HttpRequest, Next } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";
import { afterAll, describe, expect, it } from "vitest";
import type { ConformanceOptions, MiddlewareFactory } from "./conformance-options.ts";
import { formatConformanceResult } from "./format-conformance-result.ts";
import { runConformance } from "./run-conformance.ts";
import {
  addsHeader,
  buffersBodies,
  buffersResponses,
  dropsSignal,
  LEAKY_CHANNEL,
  leaksSecretInEvent,
  leaksSignalListener,
  leaksTimer,
  mutatesHeaders,
  mutatesUrl,
  passThrough,
  retainsResponseCopy,
  singleUse,
  swallowsErrors,
} from "./test-middleware.ts";

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

  it("catches a middleware that changes the request's parsed URL (no-mutation)", async () => {
    const { failed, result } = await failedChecks(mutatesUrl, NO_STREAMING);
    expect(failed).toEqual(["no-mutation"]);
    expect(result.failed[0]?.error.message).toMatch(/parsedUrl: .* -> .*mutated=1/);
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
      const { failed, result } = await failedChecks(() => leaksTimer(timers), NO_STREAMING);
      expect(failed).toEqual(["no-leftovers"]);
      expect(result.failed[0]?.error.message).toMatch(/Timeout \d+ -> \d+/);
    });
  });

  it("catches a middleware that leaves an abort listener on the signal (no-leftovers)", async () => {
    const { failed, result } = await failedChecks(leaksSignalListener, NO_STREAMING);
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

  it("catches a middleware that drops the signal (abort)", async () => {
    const { failed, result } = await failedChecks(dropsSignal, { ...NO_STREAMING, abortWithin: 300 });
    expect(failed).toContain("abort");
    expect(result.failed.find((f) => f.check === "abort")?.error.message).toMatch(
      /resolved with 200 although it was aborted/,
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
