import { describeErrorClasses, ERROR_CASE_WHERE } from "@switchyard/testkit/conformance";
import { describe, it, vi } from "vitest";
import * as errors from "./errors.ts";

const where = ERROR_CASE_WHERE;

// guard, class, code, constructor arguments
const cases: [string, string, string, unknown[]][] = [
  [
    "isOciRegistryError",
    "OciRegistryError",
    "SWITCHYARD_ERR_OCI_REGISTRY",
    ["the registry answered 500", { ...where, status: 500 }],
  ],
  [
    "isOciNotFoundError",
    "OciNotFoundError",
    "SWITCHYARD_ERR_OCI_NOT_FOUND",
    ["manifest", "no such tag", where],
  ],
  ["isOciAuthError", "OciAuthError", "SWITCHYARD_ERR_OCI_AUTH", ["the registry answered 401", where]],
  [
    "isOciManifestError",
    "OciManifestError",
    "SWITCHYARD_ERR_OCI_MANIFEST",
    ["the manifest is not JSON", where],
  ],
  ["isOciReferenceError", "OciReferenceError", "SWITCHYARD_ERR_OCI_REFERENCE", ["a bad tag", where]],
  [
    "isDigestMismatchError",
    "DigestMismatchError",
    "SWITCHYARD_ERR_OCI_DIGEST_MISMATCH",
    [{ expected: "sha256:aa", actual: "sha256:bb", reason: "digest", expectedSize: 1, actualSize: 1 }, where],
  ],
];

// Classes whose errors are also errors of another class (`OciNotFoundError` is an `OciRegistryError`).
const SUBCLASSES: Record<string, readonly string[]> = {
  OciRegistryError: ["OciNotFoundError", "OciAuthError"],
};

describeErrorClasses({
  module: errors,
  loadCopy: async () => {
    vi.resetModules();
    return import("./errors.ts");
  },
  cases: cases.map(([guard, cls, code, args]) => ({
    guard,
    class: cls,
    code,
    args,
    subclasses: SUBCLASSES[cls],
  })),
  test: { describe, it },
  title: "oci errors",
});
