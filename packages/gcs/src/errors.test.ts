import { describeErrorClasses, ERROR_CASE_WHERE } from "@switchyard/testkit/conformance";
import { describe, it, vi } from "vitest";
import * as errors from "./errors.ts";

const where = ERROR_CASE_WHERE;

// guard, class, code, constructor arguments
const cases: [string, string, string, unknown[]][] = [
  [
    "isGcsError",
    "GcsError",
    "SWITCHYARD_ERR_GCS",
    [{ status: 404, reason: "notFound", gcsMessage: "No such object", bucket: "b", object: "o" }, "", where],
  ],
  [
    "isGcsTokenError",
    "GcsTokenError",
    "SWITCHYARD_ERR_GCS_TOKEN",
    ["refresh-failed", "service-account", "the token endpoint answered 400", where],
  ],
  [
    "isGcsRequestError",
    "GcsRequestError",
    "SWITCHYARD_ERR_GCS_REQUEST",
    ["invalid-url", "a gs: URL needs a bucket", where],
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
  title: "gcs errors",
});
