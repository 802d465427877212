import { redactUrl } from "@switchyard/core";
import { escapeCondaTag } from "./conda-tag.ts";
import { isSupportedDigest } from "./digest.ts";
import { OciReferenceError } from "./errors.ts";
import type { LayerSelector, ManifestSelector, Platform } from "./selectors.ts";
import { parsePlatform } from "./selectors.ts";

/** Conda media types (conda CEP "OCI registries as conda channels", as rattler uses them). */
export const CONDA_MEDIA_TYPES: {
  readonly packageV1: string;
  readonly packageV2: string;
  readonly repodata: string;
  readonly repodataGzip: string;
  readonly repodataBz2: string;
  readonly repodataZst: string;
  readonly jlap: string;
} = Object.freeze({
  /** `.tar.bz2` package */
  packageV1: "application/vnd.conda.package.v1",
  /** `.conda` package */
  packageV2: "application/vnd.conda.package.v2",
  repodata: "application/vnd.conda.repodata.v1+json",
  repodataGzip: "application/vnd.conda.repodata.v1+json+gzip",
  repodataBz2: "application/vnd.conda.repodata.v1+json+bz2",
  repodataZst: "application/vnd.conda.repodata.v1+json+zst",
  jlap: "application/vnd.conda.jlap.v1",
});

const REPODATA_TYPES: Readonly<Record<string, string>> = Object.freeze({
  "repodata.json": CONDA_MEDIA_TYPES.repodata,
  "repodata.json.gz": CONDA_MEDIA_TYPES.repodataGzip,
  "repodata.json.bz2": CONDA_MEDIA_TYPES.repodataBz2,
  "repodata.json.zst": CONDA_MEDIA_TYPES.repodataZst,
  "repodata.json.jlap": CONDA_MEDIA_TYPES.jlap,
});

/** What an `oci://` URL names. */
export interface OciReference {
  /** `"generic"` for `oci://registry/repo[:tag|@digest]`, `"conda"` for rattler's conda mapping. */
  readonly form: "generic" | "conda";
  /** `host[:port]`, host in lower case, as it appears in the URL. */
  readonly registry: string;
  /** The repository (`org/pkg`, `channel/subdir/name`). */
  readonly repository: string;
  /** The tag, if the URL has one (conda: the escaped `version-build`; `latest` for repodata). */
  readonly tag: string | undefined;
  /** The digest (`sha256:<hex>`), if the URL has one. */
  readonly digest: string | undefined;
  /** Which layer to take from the manifest (conda: its media type). */
  readonly layer: LayerSelector;
  /** Which manifest to take from an index. */
  readonly manifest: ManifestSelector;
}

/** The tag or digest to ask the registry for: the digest if there is one, else the tag, else `latest`. */
export function referenceOf(ref: OciReference): string {
  return ref.digest ?? ref.tag ?? "latest";
}

/** `registry/repository:tag` or `registry/repository@digest`, for messages. */
export function describeReference(ref: OciReference): string {
  const at = ref.digest ? `@${ref.digest}` : `:${ref.tag ?? "latest"}`;
  return `${ref.registry}/${ref.repository}${at}`;
}

// OCI distribution spec: repository path components and tags.
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const ANNOTATION_PREFIX = "annotation.";
const SELECTOR_KEYS = new Set(["mediaType", "title", "platform"]);

function fail(url: string, message: string): never {
  throw new OciReferenceError(`${message} in ${JSON.stringify(redactUrl(url))}`);
}

/**
 * Parses an `oci://` URL in either form:
 *
 * - generic: `oci://registry[:port]/repository[:tag][@sha256:<hex>]`, with optional selectors in
 *   the query or the fragment: `mediaType=`, `title=` (the `org.opencontainers.image.title`
 *   annotation), `platform=os/arch[/variant]` and `annotation.<key>=<value>` (index entries);
 * - conda (rattler's mapping): `oci://registry/channel/subdir/name-version-build.conda` (or
 *   `.tar.bz2`) is repository `channel/subdir/name` with tag `version-build` (`+ ! =` escaped as
 *   `__p__ __e__ __eq__`, a name starting with `_` prefixed with `zzz`) and layer media type
 *   `application/vnd.conda.package.v2` (`.v1` for `.tar.bz2`); `.../repodata.json[.gz|.bz2|.zst]`
 *   is repository `.../repodata.json`, tag `latest`, the matching repodata media type.
 *
 * Throws OciReferenceError for anything else. Pure: no I/O.
 */
export function parseOciUrl(input: string | URL): OciReference {
  const text = typeof input === "string" ? input : input.href;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(text, "not a URL");
  }
  if (url.protocol !== "oci:") fail(text, `expected an oci: URL, got ${url.protocol}`);
  if (url.username || url.password) {
    fail(text, "credentials do not belong in an oci: URL; pass a CredentialStore or a per-call credential");
  }
  const registry = url.host.toLowerCase();
  if (registry === "") fail(text, "missing registry host (oci://registry/repository)");
  checkRawPath(text);
  const segments = url.pathname.split("/").slice(1);
  if (segments.length === 0 || segments.every((s) => s === "")) fail(text, "missing repository");
  if (segments.some((s) => s === "")) fail(text, "empty path segment");
  const decoded = segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return fail(text, "malformed percent-encoding");
    }
  });
  const selectors = parseSelectors(url, text);
  const last = decoded[decoded.length - 1]!;
  const dirs = decoded.slice(0, -1);

  const conda = parseCondaFilename(last);
  if (conda !== undefined) {
    if (conda === "bad")
      fail(text, `a conda file name is name-version-build.conda, got ${JSON.stringify(last)}`);
    const name = conda.name.startsWith("_") ? `zzz${conda.name}` : conda.name;
    const repository = [...dirs, name].join("/");
    checkRepository(repository, text);
    if (!TAG.test(conda.tag))
      fail(text, `the conda version-build gives tag ${JSON.stringify(conda.tag)}, not a valid OCI tag`);
    return Object.freeze({
      form: "conda",
      registry,
      repository,
      tag: conda.tag,
      digest: undefined,
      layer: Object.freeze({ mediaType: conda.mediaType, ...selectors.layer }),
      manifest: selectors.manifest,
    });
  }

  let name = last;
  let digest: string | undefined;
  const at = name.indexOf("@");
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!isSupportedDigest(digest))
      fail(
        text,
        `unsupported digest ${JSON.stringify(digest)} (expected sha256:<64 hex> or sha512:<128 hex>)`,
      );
  }
  let tag: string | undefined;
  const colon = name.lastIndexOf(":");
  if (colon >= 0) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) fail(text, `invalid tag ${JSON.stringify(tag)}`);
  }
  const repository = [...dirs, name].join("/");
  checkRepository(repository, text);
  return Object.freeze({
    form: "generic",
    registry,
    repository,
    tag,
    digest,
    layer: selectors.layer,
    manifest: selectors.manifest,
  });
}

// The WHATWG parser silently removes `.` and `..` segments (also written `%2e`), so
// `oci://reg/org/../../x` would name another repository: read the path as written and refuse them,
// with encoded slashes and backslashes (a segment is one name component) and empty segments.
function checkRawPath(text: string): void {
  const start = text.match(/^oci:\/\/[^/?#]*/i)?.[0].length ?? 0;
  const rest = text.slice(start);
  const end = rest.search(/[?#]/);
  const path = end === -1 ? rest : rest.slice(0, end);
  if (path === "/") return; // "missing repository", said below
  for (const raw of path.split("/").slice(1)) {
    if (raw === "") fail(text, "empty path segment");
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      segment = fail(text, "malformed percent-encoding");
    }
    if (segment === "." || segment === "..")
      fail(
        text,
        `path segment ${JSON.stringify(raw)} is a dot segment (oci: paths are names, not file paths)`,
      );
    if (/[/\\]/.test(segment) || raw.includes("\\"))
      fail(text, `path segment ${JSON.stringify(raw)} holds a slash or backslash`);
  }
}

function checkRepository(repository: string, url: string): void {
  for (const component of repository.split("/")) {
    if (!COMPONENT.test(component)) {
      fail(
        url,
        `invalid repository name component ${JSON.stringify(component)} (lower-case letters, digits and . _ __ - separators)`,
      );
    }
  }
  if (repository.length > 255) fail(url, "repository name longer than 255 characters");
}

interface CondaFile {
  readonly name: string;
  readonly tag: string;
  readonly mediaType: string;
}

// Returns undefined when the file name is not a conda artifact, "bad" when it looks like one but
// does not split into name-version-build.
function parseCondaFilename(file: string): CondaFile | "bad" | undefined {
  const repodata = REPODATA_TYPES[file];
  if (repodata !== undefined) return { name: "repodata.json", tag: "latest", mediaType: repodata };
  let stem: string;
  let mediaType: string;
  if (file.endsWith(".conda")) {
    stem = file.slice(0, -".conda".length);
    mediaType = CONDA_MEDIA_TYPES.packageV2;
  } else if (file.endsWith(".tar.bz2")) {
    stem = file.slice(0, -".tar.bz2".length);
    mediaType = CONDA_MEDIA_TYPES.packageV1;
  } else {
    return undefined;
  }
  // name-version-build: version and build never contain "-"; the name may.
  const lastDash = stem.lastIndexOf("-");
  const midDash = lastDash > 0 ? stem.lastIndexOf("-", lastDash - 1) : -1;
  if (midDash <= 0) return "bad";
  const name = stem.slice(0, midDash);
  const version = stem.slice(midDash + 1, lastDash);
  const build = stem.slice(lastDash + 1);
  if (name === "" || version === "" || build === "") return "bad";
  return { name, tag: escapeCondaTag(`${version}-${build}`), mediaType };
}

function parseSelectors(url: URL, text: string): { layer: LayerSelector; manifest: ManifestSelector } {
  const layer: { mediaType?: string; title?: string } = {};
  let platform: Platform | undefined;
  const annotations: Record<string, string> = {};
  let hasAnnotations = false;
  const seen = new Set<string>();
  const sources = [url.search.slice(1), url.hash.slice(1)].filter((s) => s !== "");
  for (const source of sources) {
    for (const [key, value] of new URLSearchParams(source)) {
      if (seen.has(key)) fail(text, `selector ${JSON.stringify(key)} given twice`);
      seen.add(key);
      if (key.startsWith(ANNOTATION_PREFIX) && key.length > ANNOTATION_PREFIX.length) {
        annotations[key.slice(ANNOTATION_PREFIX.length)] = value;
        hasAnnotations = true;
        continue;
      }
      if (!SELECTOR_KEYS.has(key)) {
        fail(
          text,
          `unknown selector ${JSON.stringify(key)} (known: mediaType, title, platform, annotation.<key>)`,
        );
      }
      if (value === "") fail(text, `selector ${JSON.stringify(key)} is empty`);
      if (key === "mediaType") layer.mediaType = value;
      else if (key === "title") layer.title = value;
      else {
        const parsed = parsePlatform(value);
        if (parsed === undefined)
          fail(text, `platform must be os/arch[/variant], got ${JSON.stringify(value)}`);
        platform = parsed;
      }
    }
  }
  const manifest: { platform?: Platform; annotations?: Readonly<Record<string, string>> } = {};
  if (platform) manifest.platform = platform;
  if (hasAnnotations) manifest.annotations = Object.freeze(annotations);
  return { layer: Object.freeze(layer), manifest: Object.freeze(manifest) };
}
