import { describeErrorClasses, ERROR_CASE_WHERE } from "@switchyard/testkit/conformance";
import { describe, it, vi } from "vitest";
import * as errors from "./errors.ts";

const where = ERROR_CASE_WHERE;

// guard, class, code, constructor arguments
const cases: [string, string, string, unknown[]][] = [
  [
    "isRetryAfterTooLongError",
    "RetryAfterTooLongError",
    "SWITCHYARD_ERR_RETRY_AFTER_TOO_LONG",
    [Date.UTC(2026, 0, 1), 60_000, 1000, where],
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
  title: "retry-after errors",
});
