import { describeErrorClasses, ERROR_CASE_WHERE } from "@switchyard/testkit/conformance";
import { describe, it, vi } from "vitest";
import * as errors from "./errors.ts";

const where = ERROR_CASE_WHERE;

// guard, class, code, constructor arguments
const cases: [string, string, string, unknown[]][] = [
  [
    "isCircuitOpenError",
    "CircuitOpenError",
    "SWITCHYARD_ERR_CIRCUIT_OPEN",
    ["https://x.test", "open", Date.UTC(2026, 0, 1), 1000, where],
  ],
];

describeErrorClasses({
  module: errors,
  loadCopy: async () => {
    vi.resetModules();
    return import("./errors.ts");
  },
  cases: cases.map(([guard, cls, code, args]) => ({ guard, class: cls, code, args })),
  test: { describe, it },
  title: "breaker errors",
});
