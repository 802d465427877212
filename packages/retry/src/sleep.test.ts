import { AbortError, TimeoutError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { abortReason } from "./sleep.ts";

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
