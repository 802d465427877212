export { escapeCondaTag, unescapeCondaTag } from "./conda-tag.ts";
export { digestOf, isSupportedDigest } from "./digest.ts";
export type { DigestMismatchReason, OciErrorOptions, OciMissing, RegistryErrorEntry } from "./errors.ts";
export {
  DigestMismatchError,
  OciAuthError,
  OciManifestError,
  OciNotFoundError,
  OciReferenceError,
  OciRegistryError,
} from "./errors.ts";
export type { Descriptor, ImageIndex, ImageManifest, ManifestParseResult, Selection } from "./manifest.ts";
export {
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  parseManifest,
  selectLayer,
  selectManifest,
  TITLE_ANNOTATION,
} from "./manifest.ts";
export { oci } from "./oci.ts";
export type { OciOptions } from "./oci-options.ts";
export type { OciReference } from "./oci-reference.ts";
export { CONDA_MEDIA_TYPES, describeReference, parseOciUrl, referenceOf } from "./oci-reference.ts";
export type { LayerSelector, ManifestSelector, Platform } from "./selectors.ts";
export { formatPlatform, parsePlatform } from "./selectors.ts";
export type { ExpectedBlob } from "./verify-digest.ts";
export { createDigestVerifier } from "./verify-digest.ts";
export type { AuthChallenge } from "./www-authenticate.ts";
export { parseWwwAuthenticate } from "./www-authenticate.ts";
