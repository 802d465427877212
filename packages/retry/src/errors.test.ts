import { describeErrorClasses, ERROR_CASE_WHERE } from "@switchyard/testkit/conformance";
import { describe, it, vi } from "vitest";
import * as errors from "./errors.ts";

const where = ERROR_CASE_WHERE;

// guard, class, code, constructor arguments
const cases: [string, string, string, unknown[]][] = [
  [
    "isRetriesExhaustedError",
    "RetriesExhaustedError",
    "SWITCHYARD_ERR_RETRIES_EXHAUSTED",
    [503, 3, "max-retries", where],
  ],
  ["isResumeError", "ResumeError", "SWITCHYARD_ERR_RESUME", ["the server answered 200", 10, where]],
];

describeErrorClasses({
  module: errors,
  loadCopy: async () => {
    vi.resetModules();
    return import("./errors.ts");
  },
  cases: cases.map(([guard, cls, code, args]) => ({ guard, class: cls, code, args })),
  test: { describe, it },
  title: "retry errors",
});
