import { describeErrorClasses, ERROR_CASE_WHERE } from "@switchyard/testkit/conformance";
import { describe, it, vi } from "vitest";
import * as errors from "./errors.ts";

const where = ERROR_CASE_WHERE;

// guard, class, code, constructor arguments
const cases: [string, string, string, unknown[]][] = [
  [
    "isS3Error",
    "S3Error",
    "SWITCHYARD_ERR_S3",
    [
      { status: 404, s3Code: "NoSuchKey", s3Message: "gone", requestId: "r1", bucket: "b", key: "k" },
      "",
      where,
    ],
  ],
  [
    "isS3CredentialsError",
    "S3CredentialsError",
    "SWITCHYARD_ERR_S3_CREDENTIALS",
    ["the credential provider threw", where],
  ],
  [
    "isS3RequestError",
    "S3RequestError",
    "SWITCHYARD_ERR_S3_REQUEST",
    ["invalid-url", "an s3: URL needs a bucket", where],
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
  title: "s3 errors",
});
