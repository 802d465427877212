import { describe, expect, it } from "vitest";
import { AbortError, SocketError, SwitchyardError, TimeoutError } from "./errors.ts";

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

  it("is recognised across duplicate copies of core through its Symbol.for brand", () => {
    // What an error thrown by another installed copy of core looks like to this copy.
    const foreign = Object.assign(new Error("x"), { code: "SWITCHYARD_ERR_SOCKET" });
    Object.defineProperty(foreign, Symbol.for("switchyard.error.kinds"), {
      value: ["SocketError", "SwitchyardError"],
    });
    expect(foreign).toBeInstanceOf(SwitchyardError);
    expect(foreign).toBeInstanceOf(SocketError);
    expect(foreign).not.toBeInstanceOf(TimeoutError);
  });

  it("names caller aborts AbortError, as fetch users expect", () => {
    expect(new AbortError("aborted").name).toBe("AbortError");
  });
});
