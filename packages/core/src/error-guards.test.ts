import { describe, expect, expectTypeOf, it, vi } from "vitest";
import * as guards from "./error-guards.ts";
import {
  AbortError,
  BodyNotReplayableError,
  ClientClosedError,
  ConnectError,
  DecompressionLimitError,
  InvalidOptionsError,
  InvalidRequestError,
  RedirectError,
  ResponseError,
  SocketError,
  SwitchyardError,
  TimeoutError,
  UnsupportedSchemeError,
} from "./errors.ts";
import { IntegrityError } from "./integrity-error.ts";
import { StateStoreError } from "./state-store-error.ts";

type Module = { [name: string]: unknown };

// Each guard, the class it is for, and how to build one of its errors from a given copy of core.
const cases: [string, string, (m: Module) => SwitchyardError][] = [
  ["isInvalidOptionsError", "SWITCHYARD_ERR_INVALID_OPTIONS", (m) => make(m, "InvalidOptionsError", "x")],
  ["isInvalidRequestError", "SWITCHYARD_ERR_INVALID_REQUEST", (m) => make(m, "InvalidRequestError", "x")],
  [
    "isUnsupportedSchemeError",
    "SWITCHYARD_ERR_UNSUPPORTED_SCHEME",
    (m) => make(m, "UnsupportedSchemeError", "oci:", "x"),
  ],
  ["isTimeoutError", "SWITCHYARD_ERR_TIMEOUT", (m) => make(m, "TimeoutError", "connect", "x")],
  ["isAbortError", "SWITCHYARD_ERR_ABORTED", (m) => make(m, "AbortError", "x")],
  ["isConnectError", "SWITCHYARD_ERR_CONNECT", (m) => make(m, "ConnectError", "x")],
  ["isSocketError", "SWITCHYARD_ERR_SOCKET", (m) => make(m, "SocketError", "reset", "x")],
  [
    "isBodyNotReplayableError",
    "SWITCHYARD_ERR_BODY_NOT_REPLAYABLE",
    (m) => make(m, "BodyNotReplayableError", "x"),
  ],
  ["isRedirectError", "SWITCHYARD_ERR_REDIRECT", (m) => make(m, "RedirectError", "x")],
  ["isClientClosedError", "SWITCHYARD_ERR_CLIENT_CLOSED", (m) => make(m, "ClientClosedError", "x")],
  ["isResponseError", "SWITCHYARD_ERR_RESPONSE", (m) => make(m, "ResponseError", "x")],
  [
    "isDecompressionLimitError",
    "SWITCHYARD_ERR_DECOMPRESSION_LIMIT",
    (m) => make(m, "DecompressionLimitError", "bytes", "x"),
  ],
  [
    "isIntegrityError",
    "SWITCHYARD_ERR_INTEGRITY",
    (m) => make(m, "IntegrityError", { expected: "sha256-a", actual: "sha256-b", bytes: 1 }),
  ],
  [
    "isStateStoreError",
    "SWITCHYARD_ERR_STATE_STORE",
    (m) => make(m, "StateStoreError", "memory", "get", "x"),
  ],
];

function make(m: Module, name: string, ...args: unknown[]): SwitchyardError {
  const cls = m[name] as new (...a: unknown[]) => SwitchyardError;
  return new cls(...args);
}

const here: Module = {
  AbortError,
  BodyNotReplayableError,
  ClientClosedError,
  ConnectError,
  DecompressionLimitError,
  InvalidOptionsError,
  InvalidRequestError,
  RedirectError,
  ResponseError,
  SocketError,
  TimeoutError,
  UnsupportedSchemeError,
  IntegrityError,
  StateStoreError,
};

/** The classes of another module instance of core's error files (another installed copy). */
async function anotherCopy(): Promise<Module> {
  vi.resetModules();
  const [errors, integrity, store] = await Promise.all([
    import("./errors.ts"),
    import("./integrity-error.ts"),
    import("./state-store-error.ts"),
  ]);
  expect(errors.TimeoutError).not.toBe(TimeoutError);
  return { ...errors, ...integrity, ...store };
}

describe("core's error guards", () => {
  it("has one guard per error class, each named after it", () => {
    expect(Object.keys(guards).sort()).toEqual(cases.map(([guard]) => guard).sort());
  });

  it.each(cases)(
    "%s answers true for its class (code %s) and false for every other",
    (guard, code, build) => {
      const is = (guards as Record<string, (value: unknown) => boolean>)[guard];
      const error = build(here);
      expect(error.code).toBe(code);
      expect(is?.(error)).toBe(true);
      for (const [other, , buildOther] of cases) {
        if (other !== guard) expect(is?.(buildOther(here))).toBe(false);
      }
      for (const value of [undefined, null, "x", new Error("x"), { code }, new SwitchyardError(code, "x")]) {
        expect(is?.(value)).toBe(false);
      }
    },
  );

  it.each(cases)(
    "%s recognises its class's errors from a duplicated copy of core",
    async (guard, _code, build) => {
      const is = (guards as Record<string, (value: unknown) => boolean>)[guard];
      const copy = await anotherCopy();
      expect(is?.(build(copy))).toBe(true);
    },
  );

  it("narrows the type (checked by tsc)", () => {
    const value: unknown = new TimeoutError("connect", "x");
    if (guards.isTimeoutError(value)) expectTypeOf(value).toEqualTypeOf<TimeoutError>();
    if (guards.isStateStoreError(value)) expectTypeOf(value.operation).toEqualTypeOf<string>();
    expect(guards.isTimeoutError(value) && value.phase).toBe("connect");
  });
});
