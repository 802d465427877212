import { SwitchyardError } from "@switchyard/core";
import { describe, expect, it, vi } from "vitest";
import * as errors from "./errors.ts";

type Module = Record<string, unknown>;
type ErrorClass = new (...args: unknown[]) => SwitchyardError;

const here = errors as unknown as Module;
const where = { method: "GET", url: "https://x.test/a" };

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

function build(m: Module, cls: string, args: unknown[]): SwitchyardError {
  return new (m[cls] as ErrorClass)(...args);
}

function guard(name: string): (value: unknown) => boolean {
  return here[name] as (value: unknown) => boolean;
}

describe("oci errors", () => {
  it.each(cases)("%s is true for a %s (code %s), false for anything else", (name, cls, code, args) => {
    const error = build(here, cls, args);
    expect(error.code).toBe(code);
    expect((here[cls] as { code: string }).code).toBe(code);
    expect(guard(name)(error)).toBe(true);
    for (const [, other, , otherArgs] of cases) {
      if (other !== cls && !(SUBCLASSES[cls] ?? []).includes(other)) {
        expect(guard(name)(build(here, other, otherArgs))).toBe(false);
      }
    }
    for (const value of [undefined, null, new Error("x"), { code }, new SwitchyardError(code, "x")]) {
      expect(guard(name)(value)).toBe(false);
    }
  });

  it.each(cases)(
    "%s recognises a %s from a duplicated copy of the package and core",
    async (name, cls, _code, args) => {
      vi.resetModules();
      const copy = (await import("./errors.ts")) as unknown as Module;
      expect(copy[cls]).not.toBe(here[cls]);
      expect(guard(name)(build(copy, cls, args))).toBe(true);
      expect(build(here, cls, args)).toBeInstanceOf(copy[cls] as ErrorClass);
    },
  );

  it.each(cases)("%s: a %s names the call once, in front of its message", (_name, cls, _code, args) => {
    const { message } = build(here, cls, args);
    expect(message.startsWith("GET https://x.test/a: ")).toBe(true);
    expect(message.indexOf("https://x.test/a")).toBe(message.lastIndexOf("https://x.test/a"));
  });

  it.each(cases)("%s is not fooled by another library's class named %s", (name, cls) => {
    class Foreign extends SwitchyardError {
      constructor() {
        super("ACME_ERR", "x");
      }
    }
    Object.defineProperty(Foreign, "name", { value: cls });
    expect(guard(name)(new Foreign())).toBe(false);
    expect(new Foreign()).not.toBeInstanceOf(here[cls] as ErrorClass);
  });
});
