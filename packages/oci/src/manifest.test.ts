import { describe, expect, it } from "vitest";
import type { ImageIndex, ImageManifest } from "./manifest.ts";
import {
  MANIFEST_MEDIA_TYPES,
  parseManifest,
  selectLayer,
  selectManifest,
  TITLE_ANNOTATION,
} from "./manifest.ts";

const d = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;

const layer = (n: number, mediaType: string, title?: string) => ({
  mediaType,
  digest: d(n),
  size: n,
  ...(title === undefined ? {} : { annotations: { [TITLE_ANNOTATION]: title } }),
});

function manifest(layers: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: d(99), size: 2 },
    layers,
    ...extra,
  });
}

function parsedManifest(layers: unknown[]): ImageManifest {
  const result = parseManifest(manifest(layers));
  if (!result.ok || result.document.kind !== "manifest") throw new Error("bad fixture");
  return result.document;
}

function parsedIndex(manifests: unknown[]): ImageIndex {
  const result = parseManifest(
    JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST_MEDIA_TYPES.ociIndex, manifests }),
  );
  if (!result.ok || result.document.kind !== "index") throw new Error("bad fixture");
  return result.document;
}

describe("parseManifest", () => {
  it("reads an OCI manifest with annotations", () => {
    const result = parseManifest(manifest([layer(1, "text/plain", "a.txt")], { annotations: { x: "y" } }));
    expect(result).toMatchObject({
      ok: true,
      document: {
        kind: "manifest",
        layers: [
          { mediaType: "text/plain", digest: d(1), size: 1, annotations: { [TITLE_ANNOTATION]: "a.txt" } },
        ],
        annotations: { x: "y" },
      },
    });
  });

  it.each([
    [MANIFEST_MEDIA_TYPES.dockerManifest, "manifest"],
    [MANIFEST_MEDIA_TYPES.ociManifest, "manifest"],
  ])("reads %s", (mediaType, kind) => {
    const result = parseManifest(
      manifest([layer(1, "application/vnd.docker.image.rootfs.diff.tar.gzip")], { mediaType }),
    );
    expect(result.ok && result.document.kind).toBe(kind);
  });

  it.each([MANIFEST_MEDIA_TYPES.ociIndex, MANIFEST_MEDIA_TYPES.dockerManifestList])(
    "reads the index type %s",
    (mediaType) => {
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType,
        manifests: [
          {
            mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
            digest: d(5),
            size: 10,
            platform: { os: "linux", architecture: "amd64" },
          },
        ],
      });
      const result = parseManifest(body);
      expect(result).toMatchObject({
        ok: true,
        document: {
          kind: "index",
          manifests: [{ digest: d(5), platform: { os: "linux", architecture: "amd64" } }],
        },
      });
    },
  );

  it("takes the kind from Content-Type when the document has no mediaType", () => {
    const body = JSON.stringify({ schemaVersion: 2, manifests: [] });
    const result = parseManifest(body, `${MANIFEST_MEDIA_TYPES.ociIndex}; charset=utf-8`);
    expect(result.ok && result.document.kind).toBe("index");
  });

  it("takes the kind from the shape when neither says", () => {
    expect(parseManifest(JSON.stringify({ schemaVersion: 2, layers: [] })).ok).toBe(true);
    expect(
      parseManifest(JSON.stringify({ schemaVersion: 2, manifests: [] }), "application/json"),
    ).toMatchObject({
      ok: true,
      document: { kind: "index" },
    });
  });

  it.each([
    ["not json", "{", /not valid JSON/],
    ["an array", "[]", /not a JSON object/],
    ["schema 1", JSON.stringify({ schemaVersion: 1, fsLayers: [] }), /schema 1/],
    ["no kind", JSON.stringify({ schemaVersion: 2 }), /neither layers nor manifests/],
    [
      "unknown type",
      JSON.stringify({ mediaType: "application/x-thing", layers: [] }),
      /unsupported manifest media type/,
    ],
    ["layers not an array", manifest([]).replace('"layers":[]', '"layers":{}'), /no layers array/],
    ["a layer without digest", manifest([{ mediaType: "a", size: 1 }]), /layers\[0\] has no digest/],
    ["a bad digest", manifest([{ mediaType: "a", size: 1, digest: "sha256:xyz" }]), /unsupported digest/],
    ["a negative size", manifest([{ mediaType: "a", size: -1, digest: d(1) }]), /no valid size/],
    ["a fractional size", manifest([{ mediaType: "a", size: 1.5, digest: d(1) }]), /no valid size/],
  ])("refuses %s", (_name, body, reason) => {
    const result = parseManifest(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe("selectLayer", () => {
  const m = parsedManifest([
    layer(1, "application/vnd.conda.package.v2"),
    layer(2, "text/csv", "data.csv"),
    layer(3, "text/csv", "other.csv"),
  ]);

  it.each([
    [{ mediaType: "application/vnd.conda.package.v2" }, d(1)],
    [{ title: "other.csv" }, d(3)],
    [{ mediaType: "text/csv" }, d(2)],
    [{ mediaType: "text/csv", title: "other.csv" }, d(3)],
  ])("chooses by %j", (selector, digest) => {
    const chosen = selectLayer(m, selector);
    expect(chosen.ok && chosen.descriptor.digest).toBe(digest);
  });

  it("takes the only layer when nothing is asked", () => {
    const chosen = selectLayer(parsedManifest([layer(7, "x")]), {});
    expect(chosen.ok && chosen.descriptor.digest).toBe(d(7));
  });

  it("calls several layers ambiguous and lists them", () => {
    const chosen = selectLayer(m, {});
    expect(chosen).toMatchObject({ ok: false, reason: "ambiguous" });
    expect(!chosen.ok && chosen.message).toContain('"data.csv" (text/csv)');
  });

  it("says what is missing and what there is", () => {
    const chosen = selectLayer(m, { title: "nope.txt" });
    expect(chosen).toMatchObject({ ok: false, reason: "none" });
    expect(!chosen.ok && chosen.message).toMatch(/no layer with title "nope.txt" \(layers: .*other\.csv/);
    expect(selectLayer(parsedManifest([]), {})).toMatchObject({ ok: false, reason: "none" });
  });
});

describe("selectManifest", () => {
  const index = parsedIndex([
    {
      mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
      digest: d(1),
      size: 1,
      platform: { os: "linux", architecture: "amd64" },
    },
    {
      mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
      digest: d(2),
      size: 1,
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
    },
    {
      mediaType: MANIFEST_MEDIA_TYPES.ociManifest,
      digest: d(3),
      size: 1,
      annotations: { "org.opencontainers.image.ref.name": "docs" },
    },
  ]);

  it.each([
    [{ platform: { os: "linux", architecture: "amd64" } }, d(1)],
    [{ platform: { os: "linux", architecture: "arm64" } }, d(2)],
    [{ platform: { os: "linux", architecture: "arm64", variant: "v8" } }, d(2)],
    [{ annotations: { "org.opencontainers.image.ref.name": "docs" } }, d(3)],
  ])("chooses by %j", (selector, digest) => {
    const chosen = selectManifest(index, selector);
    expect(chosen.ok && chosen.descriptor.digest).toBe(digest);
  });

  it("refuses a wrong variant and lists the entries", () => {
    const chosen = selectManifest(index, { platform: { os: "linux", architecture: "arm64", variant: "v7" } });
    expect(chosen).toMatchObject({ ok: false, reason: "none" });
    expect(!chosen.ok && chosen.message).toMatch(/linux\/amd64, linux\/arm64\/v8, "docs"/);
  });

  it("calls an index of several entries ambiguous without a selector, takes a single one", () => {
    expect(selectManifest(index, {})).toMatchObject({ ok: false, reason: "ambiguous" });
    const single = parsedIndex([{ mediaType: MANIFEST_MEDIA_TYPES.ociManifest, digest: d(9), size: 1 }]);
    const chosen = selectManifest(single, {});
    expect(chosen.ok && chosen.descriptor.digest).toBe(d(9));
  });
});
