import { describe, expect, it } from "vitest";
import {
  AbortError,
  BodyNotReplayableError,
  ConnectError,
  InvalidRequestError,
  SocketError,
  SwitchyardError,
  TimeoutError,
} from "./errors.ts";
import { isServerFailure, isTransientError, isTransientStatus, TRANSIENT_STATUSES } from "./transient.ts";

describe("isTransientStatus", () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [200, false],
    [304, false],
    [400, false],
    [404, false],
    [501, false],
    [505, false],
    [599, false],
  ])("status %i -> %s", (status, expected) => {
    expect(isTransientStatus(status)).toBe(expected);
  });

  it("asks a policy's own list when given one", () => {
    expect(isTransientStatus(404, new Set([404]))).toBe(true);
    expect(isTransientStatus(503, new Set([404]))).toBe(false);
  });

  it("the list is frozen", () => {
    expect(Object.isFrozen(TRANSIENT_STATUSES)).toBe(true);
  });
});

// [name, error, transient, counts against the server]
describe.each<[string, unknown, boolean, boolean]>([
  ["connection refused", new ConnectError("could not connect (ECONNREFUSED)"), true, true],
  ["TLS handshake failure", new ConnectError("TLS", { transient: false }), false, true],
  ["reset", new SocketError("reset", "reset"), true, true],
  ["socket closed early", new SocketError("closed", "closed"), true, true],
  ["connect timeout", new TimeoutError("connect", "t"), true, true],
  ["headers timeout", new TimeoutError("headers", "t"), true, true],
  ["body timeout", new TimeoutError("body", "t"), true, true],
  ["whole-call timeout", new TimeoutError("request", "t"), false, false],
  ["caller abort", new AbortError("aborted"), false, false],
  ["bad request", new InvalidRequestError("bad"), false, false],
  ["one-shot body", new BodyNotReplayableError("again"), false, false],
  [
    "a plugin error marked transient",
    new SwitchyardError("SWITCHYARD_ERR_X", "x", { transient: true }),
    true,
    true,
  ],
  ["a plugin error not marked", new SwitchyardError("SWITCHYARD_ERR_X", "x"), false, false],
  ["a plain Error", new Error("ECONNRESET"), false, false],
  ["a string", "boom", false, false],
  ["undefined", undefined, false, false],
])("%s", (_name, error, transient, serverFailure) => {
  it(`isTransientError -> ${transient}`, () => {
    expect(isTransientError(error)).toBe(transient);
  });
  it(`isServerFailure -> ${serverFailure}`, () => {
    expect(isServerFailure(error)).toBe(serverFailure);
  });
});
