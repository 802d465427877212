import {
  AbortError,
  BodyNotReplayableError,
  ConnectError,
  InvalidRequestError,
  SocketError,
  SwitchyardError,
  TimeoutError,
  UnsupportedSchemeError,
} from "@switchyard/core";
import { describe, expect, it } from "vitest";
import type { ResponseVerdict, StatusRules } from "./failure-rules.ts";
import { isMirrorFailure, judgeStatus } from "./failure-rules.ts";

const defaults: StatusRules = { on404: "answer", on429: "failure" };

describe("judgeStatus", () => {
  it.each<[number, StatusRules, ResponseVerdict]>([
    [200, defaults, "answer"],
    [206, defaults, "answer"],
    [304, defaults, "answer"],
    [302, defaults, "answer"],
    [400, defaults, "answer"],
    [403, defaults, "answer"],
    [404, defaults, "answer"],
    [404, { ...defaults, on404: "next" }, "next"],
    [404, { ...defaults, on404: "failure" }, "failure"],
    [429, defaults, "failure"],
    [429, { ...defaults, on429: "answer" }, "answer"],
    [429, { ...defaults, on429: "next" }, "next"],
    [500, defaults, "failure"],
    [502, defaults, "failure"],
    [503, { on404: "answer", on429: "answer" }, "failure"],
    [599, defaults, "failure"],
  ])("%i with %o is %s", (status, rules, verdict) => {
    expect(judgeStatus(status, rules)).toBe(verdict);
  });
});

describe("isMirrorFailure", () => {
  it.each<[string, unknown, boolean]>([
    ["connect refused", new ConnectError("could not connect (ECONNREFUSED)"), true],
    [
      "TLS handshake (not transient, still the mirror's fault)",
      new ConnectError("TLS", { transient: false }),
      true,
    ],
    ["reset", new SocketError("reset", "reset"), true],
    ["closed", new SocketError("closed", "closed"), true],
    ["connect timeout", new TimeoutError("connect", "t"), true],
    ["headers timeout", new TimeoutError("headers", "t"), true],
    ["body timeout", new TimeoutError("body", "t"), true],
    ["whole-call timeout ends the call", new TimeoutError("request", "t"), false],
    ["caller abort ends the call", new AbortError("aborted"), false],
    ["bad request is not the mirror's fault", new InvalidRequestError("bad"), false],
    ["unsupported scheme is a configuration error", new UnsupportedSchemeError("oci", "no oci"), false],
    ["one-shot body", new BodyNotReplayableError("again"), false],
    ["a transient plugin error", new SwitchyardError("SWITCHYARD_ERR_X", "x", { transient: true }), true],
    ["a plain Error", new Error("boom"), false],
    ["a string", "boom", false],
  ])("%s -> %s", (_name, error, expected) => {
    expect(isMirrorFailure(error)).toBe(expected);
  });
});
