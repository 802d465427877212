import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "./errors.ts";
import { openState, sealState } from "./seal-state.ts";

describe("sealState / openState", () => {
  const key = randomBytes(32);

  it("round-trips, never shows the plaintext, and differs each time (random IV)", () => {
    const a = sealState(key, "token-abc", "oci:token:1");
    const b = sealState(key, "token-abc", "oci:token:1");
    expect(a).not.toContain("token-abc");
    expect(a).not.toBe(b);
    expect(a.startsWith("v1.")).toBe(true);
    expect(openState(key, a, "oci:token:1")).toBe("token-abc");
    expect(openState(key.toString("base64"), b, "oci:token:1")).toBe("token-abc");
  });

  it("answers undefined for another key, another context, an altered or unsealed value", () => {
    const sealed = sealState(key, "secret", "k1");
    expect(openState(randomBytes(32), sealed, "k1")).toBeUndefined();
    expect(openState(key, sealed, "k2")).toBeUndefined();
    // Alter bytes, not characters: a base64 character can differ only in bits the decoder drops.
    const raw = Buffer.from(sealed.slice(3), "base64url");
    for (const at of [0, 12, raw.byteLength - 1]) {
      const altered = Buffer.from(raw);
      altered[at] = (altered[at] ?? 0) ^ 0x01;
      expect(openState(key, `v1.${altered.toString("base64url")}`, "k1")).toBeUndefined();
    }
    expect(openState(key, "secret", "k1")).toBeUndefined();
    expect(openState(key, "v1.", "k1")).toBeUndefined();
  });

  it("refuses a key that is not 32 bytes, without quoting it", () => {
    expect(() => sealState(randomBytes(16), "x")).toThrow(InvalidOptionsError);
    try {
      sealState("c2hvcnQta2V5", "x");
    } catch (error) {
      expect(String(error)).not.toContain("c2hvcnQta2V5");
    }
  });
});
