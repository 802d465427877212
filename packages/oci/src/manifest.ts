import { isSupportedDigest } from "./digest.ts";
import type { LayerSelector, ManifestSelector, Platform } from "./selectors.ts";
import { formatPlatform } from "./selectors.ts";

/** Manifest media types this package reads. */
export const MANIFEST_MEDIA_TYPES: {
  readonly ociManifest: string;
  readonly ociIndex: string;
  readonly dockerManifest: string;
  readonly dockerManifestList: string;
} = Object.freeze({
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
});

/** The `Accept` header for manifest requests: without it the CNCF registry answers 404. */
export const MANIFEST_ACCEPT: string = [
  MANIFEST_MEDIA_TYPES.ociManifest,
  MANIFEST_MEDIA_TYPES.ociIndex,
  MANIFEST_MEDIA_TYPES.dockerManifest,
  MANIFEST_MEDIA_TYPES.dockerManifestList,
].join(", ");

/** The OCI annotation holding a layer's file name. */
export const TITLE_ANNOTATION = "org.opencontainers.image.title";

/** A content descriptor: what a manifest says about one blob or manifest. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  readonly platform?: Platform | undefined;
  readonly artifactType?: string | undefined;
}

/** An image manifest (OCI or Docker v2 schema 2). */
export interface ImageManifest {
  readonly kind: "manifest";
  readonly mediaType: string;
  readonly config: Descriptor | undefined;
  readonly layers: readonly Descriptor[];
  readonly annotations: Readonly<Record<string, string>>;
}

/** An image index (OCI) or manifest list (Docker). */
export interface ImageIndex {
  readonly kind: "index";
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
  readonly annotations: Readonly<Record<string, string>>;
}

/** A parsed manifest document, or why it could not be used. */
export type ManifestParseResult =
  | { readonly ok: true; readonly document: ImageManifest | ImageIndex }
  | { readonly ok: false; readonly reason: string };

const INDEX_TYPES = new Set([MANIFEST_MEDIA_TYPES.ociIndex, MANIFEST_MEDIA_TYPES.dockerManifestList]);
const MANIFEST_TYPES = new Set([MANIFEST_MEDIA_TYPES.ociManifest, MANIFEST_MEDIA_TYPES.dockerManifest]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!isRecord(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

function parseDescriptor(value: unknown, where: string): Descriptor | string {
  if (!isRecord(value)) return `${where} is not an object`;
  const { mediaType, digest, size } = value;
  if (typeof digest !== "string") return `${where} has no digest`;
  if (!isSupportedDigest(digest))
    return `${where} has an unsupported digest ${JSON.stringify(digest.slice(0, 80))}`;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0)
    return `${where} has no valid size`;
  const out: {
    mediaType: string;
    digest: string;
    size: number;
    annotations?: Record<string, string>;
    platform?: Platform;
    artifactType?: string;
  } = { mediaType: typeof mediaType === "string" ? mediaType : "", digest, size };
  if (isRecord(value.annotations)) out.annotations = stringRecord(value.annotations);
  if (isRecord(value.platform)) {
    const { os, architecture, variant } = value.platform;
    if (typeof os === "string" && typeof architecture === "string") {
      out.platform = typeof variant === "string" ? { os, architecture, variant } : { os, architecture };
    }
  }
  if (typeof value.artifactType === "string") out.artifactType = value.artifactType;
  return out;
}

/**
 * Parses a manifest body. The kind comes from the document's `mediaType`, else from the
 * response's Content-Type, else from its shape (`manifests` or `layers`). Docker schema 1 and
 * unknown types are refused with a reason. Pure.
 */
export function parseManifest(body: string, contentType?: string): ManifestParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: "the manifest is not valid JSON" };
  }
  if (!isRecord(json)) return { ok: false, reason: "the manifest is not a JSON object" };
  const header = contentType?.split(";")[0]?.trim().toLowerCase();
  let mediaType = typeof json.mediaType === "string" ? json.mediaType : header;
  if (json.schemaVersion === 1 || mediaType?.startsWith("application/vnd.docker.distribution.manifest.v1")) {
    return { ok: false, reason: "Docker schema 1 manifests are not supported" };
  }
  if (mediaType === undefined || mediaType === "" || mediaType === "application/json") {
    if (Array.isArray(json.manifests)) mediaType = MANIFEST_MEDIA_TYPES.ociIndex;
    else if (Array.isArray(json.layers)) mediaType = MANIFEST_MEDIA_TYPES.ociManifest;
    else return { ok: false, reason: "the manifest has no mediaType and neither layers nor manifests" };
  }
  const annotations = stringRecord(json.annotations);
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(json.manifests)) return { ok: false, reason: "the index has no manifests array" };
    const manifests: Descriptor[] = [];
    for (const [i, entry] of json.manifests.entries()) {
      const d = parseDescriptor(entry, `manifests[${i}]`);
      if (typeof d === "string") return { ok: false, reason: d };
      manifests.push(d);
    }
    return { ok: true, document: { kind: "index", mediaType, manifests, annotations } };
  }
  if (MANIFEST_TYPES.has(mediaType)) {
    if (!Array.isArray(json.layers)) return { ok: false, reason: "the manifest has no layers array" };
    const layers: Descriptor[] = [];
    for (const [i, entry] of json.layers.entries()) {
      const d = parseDescriptor(entry, `layers[${i}]`);
      if (typeof d === "string") return { ok: false, reason: d };
      layers.push(d);
    }
    let config: Descriptor | undefined;
    if (json.config !== undefined) {
      const d = parseDescriptor(json.config, "config");
      if (typeof d === "string") return { ok: false, reason: d };
      config = d;
    }
    return { ok: true, document: { kind: "manifest", mediaType, config, layers, annotations } };
  }
  return { ok: false, reason: `unsupported manifest media type ${JSON.stringify(mediaType.slice(0, 100))}` };
}

/** The outcome of choosing a layer or an index entry. */
export type Selection =
  | { readonly ok: true; readonly descriptor: Descriptor }
  | { readonly ok: false; readonly reason: "none" | "ambiguous"; readonly message: string };

function describeLayer(d: Descriptor): string {
  const title = d.annotations?.[TITLE_ANNOTATION];
  return title === undefined ? d.mediaType || "(no media type)" : `${JSON.stringify(title)} (${d.mediaType})`;
}

function listed(items: readonly string[]): string {
  const shown = items.slice(0, 8).join(", ");
  return items.length > 8 ? `${shown} and ${items.length - 8} more` : shown;
}

/**
 * Chooses the layer to serve: the first whose media type and title annotation match what the
 * selector gives; with no selector, the only layer (several are ambiguous). Pure.
 */
export function selectLayer(manifest: ImageManifest, selector: LayerSelector): Selection {
  const { mediaType, title } = selector;
  const layers = manifest.layers;
  if (mediaType === undefined && title === undefined) {
    if (layers.length === 1) return { ok: true, descriptor: layers[0]! };
    if (layers.length === 0) return { ok: false, reason: "none", message: "the manifest has no layers" };
    return {
      ok: false,
      reason: "ambiguous",
      message: `the manifest has ${layers.length} layers (${listed(layers.map(describeLayer))}); choose one with ?title= or ?mediaType=`,
    };
  }
  const match = layers.find(
    (l) =>
      (mediaType === undefined || l.mediaType === mediaType) &&
      (title === undefined || l.annotations?.[TITLE_ANNOTATION] === title),
  );
  if (match) return { ok: true, descriptor: match };
  const wanted = [
    mediaType === undefined ? undefined : `media type ${mediaType}`,
    title === undefined ? undefined : `title ${JSON.stringify(title)}`,
  ]
    .filter(Boolean)
    .join(" and ");
  const have = layers.length === 0 ? "none" : listed(layers.map(describeLayer));
  return { ok: false, reason: "none", message: `no layer with ${wanted} (layers: ${have})` };
}

function matchesPlatform(entry: Platform | undefined, wanted: Platform): boolean {
  if (entry === undefined) return false;
  return (
    entry.os === wanted.os &&
    entry.architecture === wanted.architecture &&
    (wanted.variant === undefined || entry.variant === wanted.variant)
  );
}

function describeEntry(d: Descriptor): string {
  if (d.platform) return formatPlatform(d.platform);
  const ref = d.annotations?.["org.opencontainers.image.ref.name"];
  return ref === undefined ? d.digest.slice(0, 19) : JSON.stringify(ref);
}

/**
 * Chooses the manifest to follow in an index: the first entry matching the platform and every
 * annotation asked for; with no selector, the only entry (several are ambiguous). Pure.
 */
export function selectManifest(index: ImageIndex, selector: ManifestSelector): Selection {
  const { platform, annotations } = selector;
  const entries = index.manifests;
  if (platform === undefined && annotations === undefined) {
    if (entries.length === 1) return { ok: true, descriptor: entries[0]! };
    if (entries.length === 0) return { ok: false, reason: "none", message: "the index lists no manifests" };
    return {
      ok: false,
      reason: "ambiguous",
      message: `the index lists ${entries.length} manifests (${listed(entries.map(describeEntry))}); choose one with ?platform=os/arch or ?annotation.<key>=<value>`,
    };
  }
  const match = entries.find(
    (e) =>
      (platform === undefined || matchesPlatform(e.platform, platform)) &&
      (annotations === undefined || Object.entries(annotations).every(([k, v]) => e.annotations?.[k] === v)),
  );
  if (match) return { ok: true, descriptor: match };
  const wanted = [
    platform === undefined ? undefined : `platform ${formatPlatform(platform)}`,
    annotations === undefined
      ? undefined
      : `annotations ${Object.entries(annotations)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ")}`,
  ]
    .filter(Boolean)
    .join(" and ");
  const have = entries.length === 0 ? "none" : listed(entries.map(describeEntry));
  return { ok: false, reason: "none", message: `no manifest in the index with ${wanted} (entries: ${have})` };
}

/** Whether a media type names an index or manifest list. */
export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType);
}

/** Whether a media type names an image manifest. */
export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_TYPES.has(mediaType);
}
