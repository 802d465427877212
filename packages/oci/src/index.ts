export { escapeCondaTag, unescapeCondaTag } from "./conda-tag.ts";
export type { DigestMismatchReason, OciErrorOptions, OciMissing, RegistryErrorEntry } from "./errors.ts";
export {
  DigestMismatchError,
  isDigestMismatchError,
  isOciAuthError,
  isOciManifestError,
  isOciNotFoundError,
  isOciReferenceError,
  isOciRegistryError,
  OciAuthError,
  OciManifestError,
  OciNotFoundError,
  OciReferenceError,
  OciRegistryError,
} from "./errors.ts";
export { MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES, TITLE_ANNOTATION } from "./manifest.ts";
export { oci } from "./oci.ts";
export type { OciOptions } from "./oci-options.ts";
export { CONDA_MEDIA_TYPES } from "./oci-reference.ts";
export type { LayerSelector } from "./selectors.ts";
