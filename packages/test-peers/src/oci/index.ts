// An in-process OCI registry stand-in that can lie (canned answers, corrupted blobs, overrides):
// for what the CNCF registry will not do, and the demo's fallback when it is not installed.

export {
  blobDigest,
  type Canned,
  type Hit,
  ociManifest,
  putStandInArtifact,
  type StandIn,
  type StandInBlob,
  type StandInLayer,
  sha256,
  startStandIn,
} from "./stand-in-registry.ts";
