import { describe, expect, it } from "vitest";
import { NODE_FLOOR, NODE_LTS, pickNodeVersion, versionAtLeast } from "./bootstrap.mjs";

describe("versionAtLeast", () => {
  it.each([
    ["v22.19.0", "22.19.0", true],
    ["v22.18.9", "22.19.0", false],
    ["v22.20.0", "22.19.0", true],
    ["v20.20.2", "22.19.0", false],
    ["v24.0.0", "22.19.0", true],
    ["22.9.0", "22.19.0", false], // numeric, not lexicographic
    ["v26.10.0", "26.9.1", true],
  ])("%s >= %s is %s", (version, floor, expected) => {
    expect(versionAtLeast(version, floor)).toBe(expected);
  });

  it("rejects what is not a version", () => {
    expect(() => versionAtLeast("latest", "22.19.0")).toThrow(/not a Node version/);
  });
});

describe("pickNodeVersion", () => {
  it("uses the system Node when it is at least the floor", () => {
    expect(pickNodeVersion(undefined, "v22.19.0")).toBeUndefined();
    expect(pickNodeVersion(undefined, "v24.1.0")).toBeUndefined();
  });

  it("bootstraps the LTS when the system Node is older than the floor", () => {
    expect(pickNodeVersion(undefined, "v20.20.2")).toBe(NODE_LTS);
  });

  it("resolves the lts and floor aliases and exact versions", () => {
    expect(pickNodeVersion("lts", "v20.20.2")).toBe(NODE_LTS);
    expect(pickNodeVersion("floor", "v20.20.2")).toBe(NODE_FLOOR);
    expect(pickNodeVersion("v24.21.0", "v20.20.2")).toBe("24.21.0");
  });

  it("uses the system Node when it is exactly the one asked for", () => {
    expect(pickNodeVersion("floor", `v${NODE_FLOOR}`)).toBeUndefined();
  });

  it("refuses a Node older than the floor", () => {
    expect(() => pickNodeVersion("20.20.2", "v20.20.2")).toThrow(/older than the floor/);
  });

  it("pins an LTS that meets the floor", () => {
    expect(versionAtLeast(NODE_LTS, NODE_FLOOR)).toBe(true);
  });
});
