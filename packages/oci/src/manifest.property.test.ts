// fast-check properties of the manifest parser: whatever a registry sends, it answers a result
// (with a reason when it refuses) and never throws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseManifest } from "./manifest.ts";

describe("parseManifest (property)", () => {
  it("never throws on arbitrary text or JSON, and says why when it refuses", () => {
    const anyJson = fc.jsonValue().map((v) => JSON.stringify(v));
    const manifestLike = fc
      .record({
        schemaVersion: fc.oneof(fc.constant(2), fc.integer()),
        mediaType: fc.constantFrom(
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.oci.image.index.v1+json",
          "application/vnd.docker.distribution.manifest.v2+json",
          "text/plain",
        ),
        layers: fc.array(fc.jsonValue(), { maxLength: 3 }),
        manifests: fc.array(fc.jsonValue(), { maxLength: 3 }),
        config: fc.jsonValue(),
      })
      .map((v) => JSON.stringify(v));
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), anyJson, manifestLike),
        fc.option(fc.string({ maxLength: 40 })),
        (body, type) => {
          const result = parseManifest(body, type ?? undefined);
          if (!result.ok) expect(typeof result.reason).toBe("string");
        },
      ),
      { numRuns: 2000 },
    );
  });
});
