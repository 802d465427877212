import { describeErrorClasses, ERROR_CASE_WHERE } from "@switchyard/testkit/conformance";
import { describe, it, vi } from "vitest";
import * as errors from "./errors.ts";

const where = ERROR_CASE_WHERE;

// guard, class, code, constructor arguments
const cases: [string, string, string, unknown[]][] = [
  ["isCacheMissError", "CacheMissError", "SWITCHYARD_ERR_CACHE_MISS", [where]],
  [
    "isCacheIntegrityError",
    "CacheIntegrityError",
    "SWITCHYARD_ERR_CACHE_INTEGRITY",
    ["sha256 differs", where],
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
  title: "cache errors",
});
