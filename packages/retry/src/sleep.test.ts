import { AbortError, TimeoutError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { abortReason, sleep } from "./sleep.ts";

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("sleep", () => {
  it("waits about the given time", async () => {
    const started = performance.now();
    await sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("resolves at once for zero, negative and NaN delays", async () => {
    await expect(Promise.all([sleep(0), sleep(-5), sleep(Number.NaN)])).resolves.toBeDefined();
  });

  it("rejects at once when aborted mid-wait, and clears its timer", async () => {
    const before = timers();
    const controller = new AbortController();
    const started = performance.now();
    const waiting = sleep(60_000, controller.signal);
    expect(timers()).toBe(before + 1);
    setTimeout(() => controller.abort(new Error("stop")), 10);
    await expect(waiting).rejects.toThrow("stop");
    expect(performance.now() - started).toBeLessThan(1000);
    expect(timers()).toBe(before);
  });

  it("rejects without a timer when already aborted", async () => {
    const before = timers();
    const waiting = sleep(60_000, AbortSignal.abort(new Error("early")));
    expect(timers()).toBe(before);
    await expect(waiting).rejects.toThrow("early");
  });
});

describe("abortReason", () => {
  it("passes core's whole-call TimeoutError through", () => {
    const timeout = new TimeoutError("request", "the call did not complete within 50 ms");
    const controller = new AbortController();
    controller.abort(timeout);
    expect(abortReason(controller.signal, { method: "GET", url: "http://127.0.0.1/" })).toBe(timeout);
  });

  it("turns any other reason into an AbortError with the cause", () => {
    const controller = new AbortController();
    controller.abort(new Error("user"));
    const error = abortReason(controller.signal, { method: "GET", url: "http://127.0.0.1/" });
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe("GET http://127.0.0.1/: the call was aborted during a retry backoff");
    expect((error.cause as Error).message).toBe("user");
  });
});
