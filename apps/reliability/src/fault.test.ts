// The fault suite: every fault the harness can make, through every plugin stack, for an idempotent
// GET and a non-idempotent POST. Each case ends bounded (no hang), with no unhandled rejection, no
// socket or timer left open, the right typed error, and never two copies of the POST at the server.

import type { ServerResponse } from "node:http";
import net from "node:net";
import {
  attemptKey,
  type ClientOptions,
  ConnectError,
  type HttpResponse,
  SocketError,
  type SwitchyardError,
  TimeoutError,
} from "@switchyard/core";
import { AllMirrorsFailedError } from "@switchyard/mirror";
import { RetryAfterTooLongError } from "@switchyard/retry-after";
import { type FaultMode, type FaultProxy, startFaultProxy, throttle } from "@switchyard/testkit/fault";
import { type ResponseStep, startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bounded, guard } from "./harness/guard.ts";
import {
  hasMirror,
  hasRetry,
  hasRetryAfter,
  MAX_RETRIES,
  MIRROR_PREFIX,
  REQUEST_PREFIX,
  STACK_NAMES,
  type StackName,
  stackClient,
} from "./harness/stacks.ts";

type ErrorClass = abstract new (...args: never[]) => SwitchyardError;

/** What a call must end with. */
type Expected =
  | {
      readonly error: ErrorClass;
      readonly code: string;
      /** `request`: the call rejects; `body`: the response arrives and reading its body fails. */
      readonly phase: "request" | "body";
      readonly reason?: SocketError["reason"];
      readonly timeoutPhase?: TimeoutError["phase"];
      /** For AllMirrorsFailedError: the class of its cause (the transport error of the last try). */
      readonly cause?: ErrorClass;
      readonly attempts?: number;
    }
  | { readonly status: number; readonly attempts?: number };

interface Env {
  readonly srv: TestServer;
  readonly proxy: FaultProxy;
  readonly deadOrigin: string;
}

interface Scenario {
  readonly name: string;
  /** Where the client goes, after scripting the server or the proxy. */
  target(env: Env): string;
  /** Client options (timeouts) for the scenario. */
  readonly client?: ClientOptions;
  /** A signal for the call (the caller giving up). */
  readonly signal?: () => AbortSignal;
  /** Whether a request that was sent reaches the server (so the POST must be counted once). */
  readonly reachesServer: boolean;
  expect(stack: StackName, method: "GET" | "POST"): Expected;
}

const MiB = 1024 * 1024;
const CODES = {
  connect: "SWITCHYARD_ERR_CONNECT",
  socket: "SWITCHYARD_ERR_SOCKET",
  timeout: "SWITCHYARD_ERR_TIMEOUT",
  mirrors: "SWITCHYARD_ERR_ALL_MIRRORS_FAILED",
  retryAfter: "SWITCHYARD_ERR_RETRY_AFTER_TOO_LONG",
} as const;

/** Attempts a transient failure of a GET takes in a stack: all retries, or one. */
function transientAttempts(stack: StackName, method: "GET" | "POST"): number {
  return hasRetry(stack) && method === "GET" ? MAX_RETRIES + 1 : 1;
}

/**
 * A failure before the response: the stack's own error class, wrapped by the mirror for a GET
 * through a mirror stack.
 */
function beforeResponse(
  stack: StackName,
  method: "GET" | "POST",
  error: ErrorClass,
  code: string,
  more: { reason?: SocketError["reason"]; attempts?: number } = {},
): Expected {
  if (hasMirror(stack) && method === "GET") {
    return { error: AllMirrorsFailedError, code: CODES.mirrors, phase: "request", cause: error };
  }
  return { error, code, phase: "request", ...more };
}

function route(srv: TestServer, step: ResponseStep | ((req: unknown, res: ServerResponse) => void)): void {
  const script = typeof step === "function" ? (step as never) : step;
  srv.route(`${REQUEST_PREFIX}/*`, script);
  srv.route(`${MIRROR_PREFIX}/*`, script);
}

function viaProxy(env: Env, mode: FaultMode): string {
  route(env.srv, { body: "ok" });
  env.proxy.setMode(mode);
  return env.proxy.origin;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: "refused connection (closed port)",
    target: (env) => env.deadOrigin,
    reachesServer: false,
    // Nothing was sent: retry resends any method after a connect failure.
    expect: (stack, method) =>
      beforeResponse(stack, method, ConnectError, CODES.connect, {
        attempts: hasRetry(stack) ? MAX_RETRIES + 1 : 1,
      }),
  },
  {
    name: "reset at accept (proxy RST)",
    target: (env) => viaProxy(env, "reset"),
    reachesServer: false,
    expect: (stack, method) =>
      beforeResponse(stack, method, SocketError, CODES.socket, {
        reason: "reset",
        attempts: transientAttempts(stack, method),
      }),
  },
  {
    name: "closed at accept (proxy FIN)",
    target: (env) => viaProxy(env, "close"),
    reachesServer: false,
    expect: (stack, method) =>
      beforeResponse(stack, method, SocketError, CODES.socket, {
        reason: "closed",
        attempts: transientAttempts(stack, method),
      }),
  },
  {
    name: "reset before headers (request received)",
    target: (env) => {
      route(env.srv, { resetBeforeHeaders: true });
      return env.srv.origin;
    },
    reachesServer: true,
    expect: (stack, method) =>
      beforeResponse(stack, method, SocketError, CODES.socket, {
        reason: "reset",
        attempts: transientAttempts(stack, method),
      }),
  },
  {
    name: "closed before headers (request received)",
    target: (env) => {
      route(env.srv, { closeBeforeHeaders: true });
      return env.srv.origin;
    },
    reachesServer: true,
    expect: (stack, method) =>
      beforeResponse(stack, method, SocketError, CODES.socket, {
        reason: "closed",
        attempts: transientAttempts(stack, method),
      }),
  },
  {
    name: "reset right after the headers",
    target: (env) => {
      route(env.srv, { body: { size: MiB }, destroyAfterBytes: 0 });
      return env.srv.origin;
    },
    reachesServer: true,
    expect: () => ({ error: SocketError, code: CODES.socket, phase: "body", attempts: 1 }),
  },
  {
    name: "reset mid-body (after 64 KiB of 1 MiB)",
    target: (env) => {
      route(env.srv, { body: { size: MiB }, destroyAfterBytes: 64 * 1024 });
      return env.srv.origin;
    },
    reachesServer: true,
    expect: () => ({ error: SocketError, code: CODES.socket, phase: "body", attempts: 1 }),
  },
  {
    name: "reset mid-body through the proxy (after 32 KiB)",
    target: (env) => {
      route(env.srv, { body: { size: MiB } });
      env.proxy.setMode({ resetAfterBytes: 32 * 1024 });
      return env.proxy.origin;
    },
    reachesServer: true,
    expect: () => ({ error: SocketError, code: CODES.socket, phase: "body", attempts: 1 }),
  },
  {
    name: "truncated body with Content-Length",
    target: (env) => {
      route(env.srv, { body: { size: 256 * 1024 }, truncateAfterBytes: true });
      return env.srv.origin;
    },
    reachesServer: true,
    expect: () => ({
      error: SocketError,
      code: CODES.socket,
      phase: "body",
      reason: "truncated",
      attempts: 1,
    }),
  },
  {
    name: "truncated chunked body (no Content-Length)",
    target: (env) => {
      route(env.srv, (_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.write(Buffer.alloc(32 * 1024, 7), () => {
          // FIN without the terminating zero-length chunk.
          res.socket?.end();
        });
      });
      return env.srv.origin;
    },
    reachesServer: true,
    expect: () => ({
      error: SocketError,
      code: CODES.socket,
      phase: "body",
      reason: "truncated",
      attempts: 1,
    }),
  },
  {
    name: "slow-loris server (64 B/s): the whole-call timeout fires",
    target: (env) => viaProxy(env, throttle(64)),
    client: { timeout: 300 },
    reachesServer: false,
    // The caller's whole-call timeout is never retried nor failed over.
    expect: () => ({ error: TimeoutError, code: CODES.timeout, phase: "request", timeoutPhase: "request" }),
  },
  {
    name: "slow-loris body (200 B/s after fast headers): the caller's signal aborts the read",
    target: (env) => {
      route(env.srv, { body: { size: 100_000 }, bytesPerSec: 200 });
      return env.srv.origin;
    },
    signal: () => AbortSignal.timeout(300),
    reachesServer: true,
    expect: () => ({
      error: TimeoutError,
      code: CODES.timeout,
      phase: "body",
      timeoutPhase: "request",
      attempts: 1,
    }),
  },
  {
    name: "blackhole: the whole-call timeout fires",
    target: (env) => viaProxy(env, "blackhole"),
    client: { timeout: 300 },
    reachesServer: false,
    expect: () => ({ error: TimeoutError, code: CODES.timeout, phase: "request", timeoutPhase: "request" }),
  },
  {
    name: "5xx storm (every answer 503)",
    target: (env) => {
      route(env.srv, { status: 503, body: "busy" });
      return env.srv.origin;
    },
    reachesServer: true,
    expect: (stack, method) => {
      if (hasMirror(stack) && method === "GET") {
        return { error: AllMirrorsFailedError, code: CODES.mirrors, phase: "request" };
      }
      return { status: 503, attempts: transientAttempts(stack, method) };
    },
  },
  {
    name: "429 storm with Retry-After: 1 (past retry-after's maxWait)",
    target: (env) => {
      route(env.srv, { status: 429, headers: { "retry-after": "1" }, body: "slow down" });
      return env.srv.origin;
    },
    reachesServer: true,
    expect: (stack, method) => {
      // The deadline is recorded; retry's next attempt meets retry-after's gate, which fails fast.
      if (hasRetryAfter(stack) && method === "GET") {
        return { error: RetryAfterTooLongError, code: CODES.retryAfter, phase: "request", attempts: 2 };
      }
      if (hasMirror(stack) && method === "GET") {
        return { error: AllMirrorsFailedError, code: CODES.mirrors, phase: "request" };
      }
      return { status: 429, attempts: transientAttempts(stack, method) };
    },
  },
];

/** What one call did: the response status (body read to the end) or the error, and in which phase. */
type Outcome = { status: number; response: HttpResponse } | { error: unknown; phase: "request" | "body" };

async function call(
  stack: StackName,
  scenario: Scenario,
  env: Env,
  method: "GET" | "POST",
): Promise<Outcome> {
  const origin = scenario.target(env);
  const client = stackClient(stack, { origin }, scenario.client);
  try {
    let response: HttpResponse;
    try {
      response = await client.request(`${origin}${REQUEST_PREFIX}/file`, {
        method,
        ...(method === "POST" ? { body: "non-idempotent payload" } : {}),
        ...(scenario.signal ? { signal: scenario.signal() } : {}),
      });
    } catch (error) {
      return { error, phase: "request" };
    }
    try {
      await response.text();
    } catch (error) {
      return { error, phase: "body" };
    }
    return { status: response.status, response };
  } finally {
    await client.close();
  }
}

function attemptsOf(outcome: Outcome): number | undefined {
  if ("status" in outcome) return outcome.response.context.get(attemptKey);
  const error = outcome.error as SwitchyardError;
  return error?.context?.get(attemptKey);
}

function check(outcome: Outcome, expected: Expected, stack: StackName): void {
  if ("status" in expected) {
    expect("status" in outcome ? outcome.status : outcome.error).toBe(expected.status);
    if (expected.attempts !== undefined && hasRetry(stack))
      expect(attemptsOf(outcome)).toBe(expected.attempts);
    return;
  }
  expect("error" in outcome, "the call should fail").toBe(true);
  if (!("error" in outcome)) return;
  const error = outcome.error as SwitchyardError;
  expect(error, String(error)).toBeInstanceOf(expected.error);
  expect(error.code).toBe(expected.code);
  expect(outcome.phase).toBe(expected.phase);
  if (expected.reason !== undefined) expect((error as SocketError).reason).toBe(expected.reason);
  if (expected.timeoutPhase !== undefined) expect((error as TimeoutError).phase).toBe(expected.timeoutPhase);
  if (expected.cause !== undefined) expect(error.cause, String(error.cause)).toBeInstanceOf(expected.cause);
  if (expected.attempts !== undefined && hasRetry(stack)) expect(attemptsOf(outcome)).toBe(expected.attempts);
  // Messages say where: method and URL.
  expect(error.message).toMatch(/GET|POST/);
}

/**
 * After the client closed: the proxy drops what it still holds (a throttled or blackholed
 * connection whose client side is gone), then neither the proxy nor the server may hold a
 * connection. Both run in this process, so their sockets count in the leak check too.
 */
async function settle(env: Env): Promise<void> {
  env.proxy.setMode("pass");
  await bounded(
    (async () => {
      while (env.proxy.openConnections().some((c) => c.open)) {
        for (const c of env.proxy.openConnections()) c.setMode("reset");
        await new Promise((r) => setTimeout(r, 10));
      }
    })(),
    3000,
    "proxy connections to close",
  );
  await env.srv.waitForOpenConnections(0, 3000);
}

describe("fault suite", () => {
  let env: Env;

  beforeAll(async () => {
    const srv = await startTestServer();
    const proxy = await startFaultProxy({ target: srv.origin });
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    env = { srv, proxy, deadOrigin: `http://127.0.0.1:${port}` };
    // Warm up: undici's shared timer wheel and lazily loaded modules exist before the first guard.
    route(srv, { body: "ok" });
    for (const stack of STACK_NAMES) {
      const client = stackClient(stack, { origin: srv.origin });
      await (await client.request(`${srv.origin}${REQUEST_PREFIX}/warm`)).text();
      await client.close();
    }
  });

  afterAll(async () => {
    await env.proxy.close();
    await env.srv.close();
  });

  describe.each(SCENARIOS.map((s) => [s.name, s] as const))("%s", (_name, scenario) => {
    it.each(STACK_NAMES.flatMap((stack) => (["GET", "POST"] as const).map((m) => [stack, m] as const)))(
      "%s %s",
      async (stack, method) => {
        env.srv.reset();
        env.proxy.setMode("pass");
        const watch = guard();
        const outcome = await bounded(call(stack, scenario, env, method), 8000, `${stack} ${method}`);
        await settle(env);
        const report = await watch.finish();

        check(outcome, scenario.expect(stack, method), stack);
        expect(report.unhandled).toEqual([]);
        expect(report.leaked).toEqual({});
        const posts = env.srv.requests.filter((r) => r.method === "POST").length;
        if (method === "POST") {
          expect(posts).toBeLessThanOrEqual(1);
          if (scenario.reachesServer) expect(posts).toBe(1);
        }
      },
    );
  });

  it("a blackhole with headersTimeout fails with TimeoutError phase headers", async () => {
    env.srv.reset();
    route(env.srv, { body: "ok" });
    env.proxy.setMode("blackhole");
    const watch = guard();
    const client = stackClient("core", { origin: env.proxy.origin }, { headersTimeout: 200 });
    const error = await bounded(
      client.request(`${env.proxy.origin}${REQUEST_PREFIX}/file`).then(
        () => undefined,
        (e: unknown) => e,
      ),
      5000,
      "headers timeout",
    );
    await client.close();
    await settle(env);
    const report = await watch.finish();
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("headers");
    expect((error as TimeoutError).transient).toBe(true);
    expect(report).toEqual({ unhandled: [], leaked: {} });
  });
});
