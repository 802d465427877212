import { describe, expect, it, vi } from "vitest";
import { isTimeoutError } from "./error-guards.ts";
import {
  AbortError,
  ConnectError,
  InvalidOptionsError,
  isSwitchyardError,
  SocketError,
  SwitchyardError,
  TimeoutError,
} from "./errors.ts";

/** A second module instance of this file, as another installed copy of core would load it. */
async function anotherCopy(): Promise<typeof import("./errors.ts")> {
  vi.resetModules();
  const copy = await import("./errors.ts");
  // The point of the exercise: these are other classes, not the ones imported above.
  expect(copy.TimeoutError).not.toBe(TimeoutError);
  expect(copy.SwitchyardError).not.toBe(SwitchyardError);
  return copy;
}

describe("SwitchyardError", () => {
  it("keeps code, method, url and cause", () => {
    const cause = new Error("inner");
    const error = new TimeoutError("headers", "headers timeout", {
      method: "GET",
      url: "https://x.test/",
      cause,
    });
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).not.toBeInstanceOf(AbortError);
    expect(error.code).toBe("SWITCHYARD_ERR_TIMEOUT");
    expect(error.message).toBe("GET https://x.test/: headers timeout");
    expect(error.cause).toBe(cause);
    expect(error.transient).toBe(true);
  });

  it("names caller aborts AbortError, as fetch users expect", () => {
    expect(new AbortError("aborted").name).toBe("AbortError");
  });
});

describe("SwitchyardError message", () => {
  it.each([
    [{ method: "GET", url: "https://x.test/a" }, "GET https://x.test/a: boom"],
    [{ url: "https://x.test/a" }, "https://x.test/a: boom"],
    [{ method: "PUT" }, "PUT: boom"],
    [{}, "boom"],
  ])("puts the method and URL in front once, in the base class (%j)", (options, expected) => {
    expect(new SwitchyardError("SWITCHYARD_ERR_X", "boom", options).message).toBe(expected);
    expect(new ConnectError("boom", options).message).toBe(expected);
  });

  it("does not prefix twice a message a subclass written for an older core already prefixed", () => {
    const where = { method: "GET", url: "https://x.test/a" };
    const error = new SwitchyardError("SWITCHYARD_ERR_X", "GET https://x.test/a: boom", where);
    expect(error.message).toBe("GET https://x.test/a: boom");
  });

  it("leaves option errors, which name no call, as they are", () => {
    expect(new InvalidOptionsError("retry: maxRetries must be >= 0").message).toBe(
      "retry: maxRetries must be >= 0",
    );
  });
});

describe("SwitchyardError brand (instanceof by code)", () => {
  it("gives every class its code as a static `code`, the one its errors carry", () => {
    expect(TimeoutError.code).toBe("SWITCHYARD_ERR_TIMEOUT");
    expect(new TimeoutError("connect", "x").code).toBe(TimeoutError.code);
    expect(Object.hasOwn(SwitchyardError, "code")).toBe(false);
  });

  it("recognises an error from a duplicated copy of core (two module instances), both ways", async () => {
    const copy = await anotherCopy();
    const theirs = new copy.TimeoutError("body", "body timeout", { method: "GET", url: "https://x.test/" });
    expect(theirs).toBeInstanceOf(SwitchyardError);
    expect(theirs).toBeInstanceOf(TimeoutError);
    expect(theirs).not.toBeInstanceOf(ConnectError);
    expect(isTimeoutError(theirs)).toBe(true);
    expect(isSwitchyardError(theirs, "SWITCHYARD_ERR_TIMEOUT")).toBe(true);
    const ours = new SocketError("reset", "reset");
    expect(ours).toBeInstanceOf(copy.SwitchyardError);
    expect(ours).toBeInstanceOf(copy.SocketError);
    expect(ours).not.toBeInstanceOf(copy.TimeoutError);
  });

  it("survives a minifier renaming the classes (even two classes to the same name)", async () => {
    const copy = await anotherCopy();
    // What a minifier without keep_classnames leaves: short, colliding class names.
    for (const cls of [copy.TimeoutError, copy.ConnectError, copy.SwitchyardError]) {
      Object.defineProperty(cls, "name", { value: "e" });
    }
    const timeout = new copy.TimeoutError("connect", "connect timeout");
    const connect = new copy.ConnectError("refused");
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout).toBeInstanceOf(copy.TimeoutError);
    expect(timeout).not.toBeInstanceOf(copy.ConnectError);
    expect(connect).toBeInstanceOf(ConnectError);
    expect(connect).not.toBeInstanceOf(TimeoutError);
    expect(new TimeoutError("connect", "x")).toBeInstanceOf(copy.TimeoutError);
    expect(new TimeoutError("connect", "x")).not.toBeInstanceOf(copy.ConnectError);
    // The error's own `name` is a string field, which minifiers keep.
    expect(timeout.name).toBe("TimeoutError");
  });

  it("is not fooled by another library's class of the same name", () => {
    // A third-party error that happens to be called TimeoutError, inside the Switchyard family...
    class ForeignTimeout extends SwitchyardError {
      override name = "TimeoutError";
      constructor() {
        super("ACME_TIMEOUT", "acme timed out");
      }
    }
    Object.defineProperty(ForeignTimeout, "name", { value: "TimeoutError" });
    // ...and one outside it that even copies the code field.
    class TimeoutLookalike extends Error {
      override name = "TimeoutError";
      readonly code = "SWITCHYARD_ERR_TIMEOUT";
    }
    const foreign = new ForeignTimeout();
    expect(foreign).toBeInstanceOf(SwitchyardError);
    expect(foreign).not.toBeInstanceOf(TimeoutError);
    expect(isTimeoutError(foreign)).toBe(false);
    expect(new TimeoutError("connect", "x")).not.toBeInstanceOf(ForeignTimeout);
    expect(new TimeoutLookalike()).not.toBeInstanceOf(TimeoutError);
    expect(new TimeoutLookalike()).not.toBeInstanceOf(SwitchyardError);
    expect(isTimeoutError(new TimeoutLookalike())).toBe(false);
  });

  it("matches a subclass without a static code by prototype, and its instances by their parent's code", () => {
    class SlowStartTimeout extends TimeoutError {}
    const error = new SlowStartTimeout("connect", "slow start");
    expect(error).toBeInstanceOf(SlowStartTimeout);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(new TimeoutError("connect", "x")).not.toBeInstanceOf(SlowStartTimeout);
  });

  it("answers false for anything that is not an object", () => {
    const values: unknown[] = [undefined, null, 0, "SWITCHYARD_ERR_TIMEOUT", Symbol("x")];
    for (const value of values) {
      expect(value instanceof SwitchyardError).toBe(false);
      expect(value instanceof TimeoutError).toBe(false);
    }
  });

  it("carries the codes under a non-enumerable Symbol.for key, out of JSON and inspect", () => {
    const error = new TimeoutError("connect", "x");
    const brand = Object.getOwnPropertyDescriptor(error, Symbol.for("switchyard.error.codes"));
    expect(brand?.value).toEqual(["SWITCHYARD_ERR_TIMEOUT"]);
    expect(brand?.enumerable).toBe(false);
    expect(Object.isFrozen(brand?.value)).toBe(true);
  });
});
