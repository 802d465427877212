import { describe, expect, it } from "vitest";
import { stateKey } from "./state-key.ts";

describe("stateKey", () => {
  it("hashes the identity so no part appears in the key, at a fixed length", () => {
    const key = stateKey("oci:token", "registry.example", "repository:a:pull", "alice:hunter2");
    expect(key.startsWith("oci:token:")).toBe(true);
    expect(key).not.toMatch(/alice|hunter2|registry/);
    expect(key.length).toBe("oci:token:".length + 22);
    expect(stateKey("oci:token", "registry.example", "repository:a:pull", "alice:hunter2")).toBe(key);
  });

  it("keeps part boundaries apart", () => {
    expect(stateKey("p", "ab", "c")).not.toBe(stateKey("p", "a", "bc"));
    expect(stateKey("p", "")).not.toBe(stateKey("p"));
  });

  it.each(["", "Upper", "a b", "a::b", ":a", 5])("refuses the namespace %j", (bad) => {
    expect(() => stateKey(bad as string, "x")).toThrow(/namespace/);
  });
});
