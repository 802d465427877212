import { Readable } from "node:stream";
import {
  ConnectError,
  Context,
  HttpRequest,
  HttpResponse,
  InvalidOptionsError,
  SocketError,
  TimeoutError,
} from "@switchyard/core";
import { describe, expect, it } from "vitest";
import type { RetryOutcome } from "./classify.ts";
import type { AttemptDecision, AttemptInput, BudgetView } from "./decide-attempt.ts";
import { afterTimeout, decideAttempt } from "./decide-attempt.ts";
import type { RetryPolicyOptions } from "./retry-policy.ts";
import { retryPolicy } from "./retry-policy.ts";

const URL = "http://127.0.0.1:1/x";
const get = new HttpRequest(URL);
const post = new HttpRequest(URL, { method: "POST", body: "x" });
const postWithKey = new HttpRequest(URL, { method: "POST", body: "x", headers: { "idempotency-key": "k" } });
// A one-shot stream the first attempt already sent (what the transport's send marks as used).
const oneShot = new Proxy(new HttpRequest(URL, { method: "PUT", body: Readable.from(["x"]) }), {
  get: (target, property) => (property === "isReplayable" ? false : Reflect.get(target, property)),
});
const aborted = (() => {
  const controller = new AbortController();
  controller.abort();
  return new HttpRequest(URL, { signal: controller.signal });
})();
const status = (s: number) => ({ response: new HttpResponse({ status: s, url: URL }) });
const full: BudgetView = { available: 500, retryCost: 5, timeoutCost: 10 };

interface Row {
  readonly name: string;
  readonly request?: HttpRequest;
  readonly got: { response?: HttpResponse; error?: unknown };
  readonly attempt?: number;
  readonly policy?: RetryPolicyOptions;
  readonly budget?: BudgetView | undefined;
  readonly now?: number;
  readonly notBefore?: number;
  readonly expected: AttemptDecision;
}

// Policy defaults here: jitter "none", so the backoff is minDelay * 2^(attempt - 1) = 100, 200, 400...
const rows: Row[] = [
  { name: "a 503 on GET waits the backoff and pays a retry", got: status(503), expected: wait(100, 5) },
  { name: "the second retry waits twice as long", got: status(503), attempt: 2, expected: wait(200, 5) },
  {
    name: "a timeout costs the budget's timeoutCost",
    got: { error: new TimeoutError("headers", "t") },
    expected: wait(100, 10),
  },
  {
    name: "no budget: wait without a cost",
    got: status(503),
    budget: undefined,
    expected: wait(100, undefined),
  },
  { name: "POST is not resent", request: post, got: status(503), expected: stop("not-resendable") },
  { name: "POST with an Idempotency-Key is", request: postWithKey, got: status(503), expected: wait(100, 5) },
  {
    name: "POST with retryNonIdempotent is",
    request: post,
    got: status(503),
    policy: { retryNonIdempotent: true },
    expected: wait(100, 5),
  },
  {
    name: "POST whose connection never opened is (nothing was sent)",
    request: post,
    got: { error: new ConnectError("refused") },
    expected: wait(100, 5),
  },
  {
    name: "POST after a connect timeout is (nothing was sent)",
    request: post,
    got: { error: new TimeoutError("connect", "t") },
    expected: wait(100, 10),
  },
  {
    name: "POST after a reset is not (the server may have acted on it)",
    request: post,
    got: { error: new SocketError("reset", "reset") },
    expected: stop("not-resendable"),
  },
  { name: "an aborted call stops", request: aborted, got: status(503), expected: stop("not-resendable") },
  {
    name: "a one-shot body cannot be sent again",
    request: oneShot,
    got: status(503),
    expected: stop("not-replayable"),
  },
  { name: "maxRetries spent", got: status(503), attempt: 4, expected: stop("max-retries") },
  { name: "the last allowed retry", got: status(503), attempt: 3, expected: wait(400, 5) },
  { name: "maxRetries 0", got: status(503), policy: { maxRetries: 0 }, expected: stop("max-retries") },
  {
    name: "a later server hint wins over the backoff (the longer, never the sum)",
    got: status(429),
    now: 1000,
    notBefore: 3000,
    expected: wait(2000, 5),
  },
  {
    name: "a hint already past leaves the backoff",
    got: status(429),
    now: 1000,
    notBefore: 900,
    expected: wait(100, 5),
  },
  {
    name: "a wait ending past maxElapsed stops",
    got: status(503),
    now: 950,
    policy: { maxElapsed: 1000 },
    expected: stop("max-elapsed"),
  },
  {
    name: "a wait ending exactly at maxElapsed goes",
    got: status(503),
    now: 900,
    policy: { maxElapsed: 1000 },
    expected: wait(100, 5),
  },
  {
    name: "a server hint past maxElapsed stops",
    got: status(429),
    now: 0,
    notBefore: 5000,
    policy: { maxElapsed: 1000 },
    expected: stop("max-elapsed"),
  },
  {
    name: "a budget one token short stops",
    got: status(503),
    budget: { ...full, available: 4 },
    expected: stop("budget"),
  },
  {
    name: "a budget with just enough pays",
    got: status(503),
    budget: { ...full, available: 5 },
    expected: wait(100, 5),
  },
  {
    name: "a timeout needs the timeout cost",
    got: { error: new TimeoutError("body", "t") },
    budget: { ...full, available: 9 },
    expected: stop("budget"),
  },
  {
    name: "maxRetries is checked before the budget",
    got: status(503),
    attempt: 4,
    budget: { ...full, available: 0 },
    expected: stop("max-retries"),
  },
  {
    name: "a custom delay replaces the backoff",
    got: status(503),
    attempt: 2,
    policy: { delay: (retry, _outcome, backoff) => retry * 1000 + backoff },
    expected: wait(2200, 5),
  },
];

function wait(ms: number, cost: number | undefined): AttemptDecision {
  return { kind: "wait", ms, cost };
}
function stop(reason: Extract<AttemptDecision, { kind: "stop" }>["reason"]): AttemptDecision {
  return { kind: "stop", reason };
}

function input(row: Row): AttemptInput {
  const outcome: RetryOutcome = {
    request: row.request ?? get,
    ...row.got,
    attempt: row.attempt ?? 1,
    context: new Context(),
  };
  return {
    outcome,
    policy: retryPolicy({ jitter: "none", ...row.policy }),
    budget: "budget" in row ? row.budget : full,
    now: row.now ?? 0,
    started: 0,
    notBefore: row.notBefore,
    random: () => 0.5,
  };
}

describe("decideAttempt", () => {
  it.each(rows)("$name", (row) => {
    expect(decideAttempt(input(row))).toEqual(row.expected);
  });

  it("is pure: the same input decides the same, and the budget it reads is not touched", () => {
    const budget = { ...full };
    const same = input({ name: "", got: status(503), budget, expected: wait(100, 5) });
    expect(decideAttempt(same)).toEqual(decideAttempt(same));
    expect(budget).toEqual(full);
  });

  it("jitter draws from the input's random source", () => {
    const row = input({ name: "", got: status(503), attempt: 3, expected: wait(0, 5) });
    const jittered = { ...row, policy: retryPolicy({ jitter: "full" }), random: () => 0.25 };
    expect(decideAttempt(jittered)).toEqual(wait(100, 5));
  });

  it.each([-1, Number.NaN, "10"])("a delay function answering %s is an InvalidOptionsError", (bad) => {
    const row = input({
      name: "",
      got: status(503),
      policy: { delay: () => bad as number },
      expected: wait(0, 0),
    });
    expect(() => decideAttempt(row)).toThrow(InvalidOptionsError);
  });
});

describe("afterTimeout", () => {
  it.each<[string, unknown, boolean]>([
    ["a headers timeout", new TimeoutError("headers", "t"), true],
    ["a connect timeout", new TimeoutError("connect", "t"), true],
    ["a reset", new SocketError("reset", "reset"), false],
    ["a status (no error)", undefined, false],
  ])("%s -> %s", (_name, error, expected) => {
    expect(afterTimeout({ error })).toBe(expected);
  });
});
