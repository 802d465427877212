import {
  AbortError,
  ConnectError,
  Context,
  HttpRequest,
  HttpResponse,
  InvalidRequestError,
  ResponseError,
  SocketError,
  SwitchyardError,
  TimeoutError,
} from "@switchyard/core";
import { describe, expect, it } from "vitest";
import type { RetryOutcome } from "./classify.ts";
import {
  DEFAULT_RETRY_STATUSES,
  describeOutcome,
  IDEMPOTENT_METHODS,
  isTransientError,
  isTransientOutcome,
  mayResend,
  neverSent,
} from "./classify.ts";

const request = new HttpRequest("http://127.0.0.1:1/x");
const statuses = new Set(DEFAULT_RETRY_STATUSES);
const outcome = (over: Partial<RetryOutcome>): RetryOutcome => ({
  request,
  attempt: 1,
  context: new Context(),
  ...over,
});
const response = (status: number) => new HttpResponse({ status, url: request.url });

describe("isTransientOutcome", () => {
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
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
    [501, false],
    [505, false],
  ])("status %i is transient: %s", (status, expected) => {
    expect(isTransientOutcome(outcome({ response: response(status) }), statuses)).toBe(expected);
  });

  it.each([
    ["connection refused", new ConnectError("could not connect (ECONNREFUSED)"), true],
    ["TLS failure", new ConnectError("TLS handshake failed", { transient: false }), false],
    ["reset", new SocketError("reset", "reset"), true],
    ["closed early", new SocketError("closed", "closed"), true],
    ["truncated body", new SocketError("truncated", "truncated"), true],
    ["connect timeout", new TimeoutError("connect", "t"), true],
    ["headers timeout", new TimeoutError("headers", "t"), true],
    ["body timeout", new TimeoutError("body", "t"), true],
    ["the caller's whole-call timeout", new TimeoutError("request", "t"), false],
    ["the caller's abort", new AbortError("aborted"), false],
    ["a bad request", new InvalidRequestError("bad"), false],
    ["a protocol error", new ResponseError("bad"), false],
    ["another middleware's error", new SwitchyardError("SWITCHYARD_ERR_X", "x"), false],
    [
      "another middleware's error marked transient",
      new SwitchyardError("SWITCHYARD_ERR_X", "x", { transient: true }),
      true,
    ],
    ["a plain Error", new Error("boom"), false],
    ["a thrown string", "boom", false],
  ])("%s is transient: %s", (_what, error, expected) => {
    expect(isTransientError(error)).toBe(expected);
    expect(isTransientOutcome(outcome({ error }), statuses)).toBe(expected);
  });
});

describe("neverSent", () => {
  it.each([
    [new ConnectError("refused"), true],
    [new TimeoutError("connect", "t"), true],
    [new ConnectError("TLS", { transient: false }), false],
    [new SocketError("reset", "r"), false],
    [new TimeoutError("headers", "t"), false],
  ])("%s -> %s", (error, expected) => {
    expect(neverSent(error)).toBe(expected);
  });
});

describe("mayResend", () => {
  const methods = new Set(IDEMPOTENT_METHODS);
  it.each([
    ["GET", {}, false, true],
    ["HEAD", {}, false, true],
    ["OPTIONS", {}, false, true],
    ["PUT", {}, false, true],
    ["DELETE", {}, false, true],
    ["TRACE", {}, false, true],
    ["QUERY", {}, false, true],
    ["query", {}, false, true],
    ["POST", {}, false, false],
    ["PATCH", {}, false, false],
    ["POST", { "idempotency-key": "k-1" }, false, true],
    ["PATCH", { "Idempotency-Key": "k-2" }, false, true],
    ["POST", {}, true, true],
    ["CONNECT", {}, false, false],
  ])("%s with headers %j (any method: %s) -> %s", (method, headers, anyMethod, expected) => {
    const r = new HttpRequest("http://127.0.0.1:1/", { method, headers });
    expect(mayResend(r, methods, anyMethod)).toBe(expected);
  });
});

describe("describeOutcome", () => {
  it.each([
    [{ response: response(503) }, "status 503"],
    [{ error: new SocketError("reset", "secret-token in message") }, "SocketError (SWITCHYARD_ERR_SOCKET)"],
    [{ error: new TypeError("x") }, "TypeError"],
    [{ error: 42 }, "number"],
  ])("%#: says %s and nothing from the message", (o, expected) => {
    expect(describeOutcome(o)).toBe(expected);
  });
});
