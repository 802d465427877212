import { describeErrorClasses, ERROR_CASE_WHERE } from "@switchyard/testkit/conformance";
import { describe, it, vi } from "vitest";
import * as errors from "./errors.ts";

const where = ERROR_CASE_WHERE;

// guard, class, code, constructor arguments
const cases: [string, string, string, unknown[]][] = [
  [
    "isCredentialFileError",
    "CredentialFileError",
    "SWITCHYARD_ERR_AUTH_FILE",
    ["/home/u/.creds.json", "syntax", "expected a JSON object", { ...where, line: 2, column: 3 }],
  ],
  [
    "isInsecureCredentialError",
    "InsecureCredentialError",
    "SWITCHYARD_ERR_AUTH_INSECURE",
    ["a credential for plain http", where],
  ],
  [
    "isCredentialExpiredError",
    "CredentialExpiredError",
    "SWITCHYARD_ERR_AUTH_EXPIRED",
    ["the token expired", where],
  ],
  ["isTokenRefreshError", "TokenRefreshError", "SWITCHYARD_ERR_AUTH_REFRESH", ["the refresh failed", where]],
  [
    "isKeyringUnavailableError",
    "KeyringUnavailableError",
    "SWITCHYARD_ERR_AUTH_KEYRING_UNAVAILABLE",
    ["@napi-rs/keyring is not installed", where],
  ],
  [
    "isCredentialStoreError",
    "CredentialStoreError",
    "SWITCHYARD_ERR_AUTH_STORE",
    ["file", "the store threw", where],
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
  title: "auth errors",
});
