import { describe, expect, it } from "vitest";
import { AbortError, TimeoutError } from "./errors.ts";
import { abortReason, sleep } from "./sleep.ts";

describe("sleep", () => {
  it("resolves after the delay", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });

  it("rejects at once on abort and leaves no timer behind", async () => {
    const controller = new AbortController();
    const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const waiting = sleep(60_000, controller.signal, { method: "GET", url: "https://x.test/" });
    controller.abort();
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).message).toBe("GET https://x.test/: the call was aborted");
    expect(process.getActiveResourcesInfo().filter((r) => r === "Timeout").length).toBe(before);
  });

  it("passes core's own abort reasons through", async () => {
    const controller = new AbortController();
    const timeout = new TimeoutError("request", "too slow");
    controller.abort(timeout);
    expect(abortReason(controller.signal)).toBe(timeout);
    await expect(sleep(10, controller.signal)).rejects.toBe(timeout);
  });
});
