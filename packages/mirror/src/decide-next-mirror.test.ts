import {
  AbortError,
  CIRCUIT_OPEN_CODE,
  ConnectError,
  InvalidRequestError,
  SocketError,
  SwitchyardError,
  TimeoutError,
} from "@switchyard/core";
import { describe, expect, it } from "vitest";
import type { FailoverInput, JudgedAttempt, MirrorDecision } from "./decide-next-mirror.ts";
import { decideExhausted, decideNextMirror, judgeAttempt } from "./decide-next-mirror.ts";
import type { StatusRules } from "./failure-rules.ts";

const rules: StatusRules = { on404: "answer", on429: "failure" };

describe("judgeAttempt", () => {
  // [name, attempt, rules, verdict, transient, nothingSent]
  it.each<[string, { status: number } | { error: unknown }, StatusRules, string, boolean, boolean]>([
    ["200 answers", { status: 200 }, rules, "answer", false, false],
    ["304 answers", { status: 304 }, rules, "answer", false, false],
    ["404 answers by default", { status: 404 }, rules, "answer", false, false],
    ["404 with on404 next", { status: 404 }, { ...rules, on404: "next" }, "next", false, false],
    [
      "404 with on404 failure (not transient)",
      { status: 404 },
      { ...rules, on404: "failure" },
      "failure",
      false,
      false,
    ],
    ["429 fails, transient", { status: 429 }, rules, "failure", true, false],
    ["429 with on429 next", { status: 429 }, { ...rules, on429: "next" }, "next", false, false],
    ["503 fails, transient", { status: 503 }, rules, "failure", true, false],
    ["500 fails, transient", { status: 500 }, rules, "failure", true, false],
    ["501 fails the mirror but will not change on a retry", { status: 501 }, rules, "failure", false, false],
    [
      "connect refused fails, transient",
      { error: new ConnectError("refused") },
      rules,
      "failure",
      true,
      false,
    ],
    [
      "TLS handshake fails the mirror, not transient",
      { error: new ConnectError("TLS", { transient: false }) },
      rules,
      "failure",
      false,
      false,
    ],
    ["reset fails, transient", { error: new SocketError("reset", "reset") }, rules, "failure", true, false],
    ["headers timeout fails", { error: new TimeoutError("headers", "t") }, rules, "failure", true, false],
    [
      "the whole-call timeout is fatal",
      { error: new TimeoutError("request", "t") },
      rules,
      "fatal",
      false,
      false,
    ],
    ["the caller's abort is fatal", { error: new AbortError("aborted") }, rules, "fatal", false, false],
    ["a bad request is fatal", { error: new InvalidRequestError("bad") }, rules, "fatal", false, false],
    ["a plain Error is fatal", { error: new Error("boom") }, rules, "fatal", false, false],
    [
      "a breaker's fast failure fails, sent nothing",
      { error: new SwitchyardError(CIRCUIT_OPEN_CODE, "open", { transient: true }) },
      rules,
      "failure",
      true,
      true,
    ],
  ])("%s", (_name, attempt, r, verdict, transient, nothingSent) => {
    expect(judgeAttempt(attempt, r)).toEqual({ verdict, transient, nothingSent });
  });
});

const failure: JudgedAttempt = { verdict: "failure", transient: true, nothingSent: false };
const fastFailure: JudgedAttempt = { verdict: "failure", transient: true, nothingSent: true };
const next: JudgedAttempt = { verdict: "next", transient: false, nothingSent: false };
const doubling = (n: number) => 50 * 2 ** (n - 1);

describe("decideNextMirror", () => {
  it.each<[string, Partial<FailoverInput>, MirrorDecision]>([
    ["the first attempt goes at once", { made: 0, last: undefined }, { kind: "try", index: 0, ms: 0 }],
    ["no mirror to try", { made: 0, planned: 0, last: undefined }, { kind: "stop", reason: "exhausted" }],
    ["after a failure: the failover delay", { made: 1, last: failure }, { kind: "try", index: 1, ms: 50 }],
    ["the delay grows with the failover", { made: 2, last: failure }, { kind: "try", index: 2, ms: 100 }],
    ["after a next: the delay too", { made: 1, last: next }, { kind: "try", index: 1, ms: 50 }],
    [
      "after a breaker's fast failure: no delay",
      { made: 1, last: fastFailure },
      { kind: "try", index: 1, ms: 0 },
    ],
    [
      "an answer stops",
      { made: 1, last: { verdict: "answer", transient: false, nothingSent: false } },
      { kind: "stop", reason: "answered" },
    ],
    [
      "a fatal error stops",
      { made: 1, last: { verdict: "fatal", transient: false, nothingSent: false } },
      { kind: "stop", reason: "fatal" },
    ],
    ["the plan used up", { made: 3, last: failure }, { kind: "stop", reason: "exhausted" }],
    [
      "a one-shot body is not sent to a second mirror",
      { made: 1, last: failure, replayable: false },
      { kind: "stop", reason: "not-replayable" },
    ],
    [
      "a one-shot body may go to the first",
      { made: 0, last: undefined, replayable: false },
      { kind: "try", index: 0, ms: 0 },
    ],
    [
      "the plan used up wins over a one-shot body",
      { made: 3, last: failure, replayable: false },
      { kind: "stop", reason: "exhausted" },
    ],
    [
      "a negative delay counts as 0",
      { made: 1, last: failure, delay: () => -5 },
      { kind: "try", index: 1, ms: 0 },
    ],
    [
      "a NaN delay counts as 0",
      { made: 1, last: failure, delay: () => Number.NaN },
      { kind: "try", index: 1, ms: 0 },
    ],
    [
      "an infinite delay counts as 0",
      { made: 1, last: failure, delay: () => Number.POSITIVE_INFINITY },
      { kind: "try", index: 1, ms: 0 },
    ],
  ])("%s", (_name, over, expected) => {
    const input: FailoverInput = {
      made: 0,
      planned: 3,
      last: undefined,
      replayable: true,
      delay: doubling,
      ...over,
    };
    expect(decideNextMirror(input)).toEqual(expected);
  });
});

describe("decideExhausted", () => {
  it.each<[boolean, boolean, "error" | "last-response", string]>([
    [true, true, "error", "throw"],
    [true, true, "last-response", "last-response"],
    [true, false, "error", "last-response"],
    [true, false, "last-response", "last-response"],
    [false, true, "error", "throw"],
    [false, true, "last-response", "throw"],
    [false, false, "error", "throw"],
  ])(
    "a response kept: %s, a failure: %s, onExhausted %s -> %s",
    (hasResponse, failed, onExhausted, expected) => {
      expect(decideExhausted({ hasResponse, failed, onExhausted })).toBe(expected);
    },
  );
});
