/** OCI and Docker media types used by the push helpers. */
export const OCI_MEDIA_TYPES = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  empty: "application/vnd.oci.empty.v1+json",
  imageConfig: "application/vnd.oci.image.config.v1+json",
  layerTarGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
} as const;

/** The `Accept` header that makes the registry serve OCI and Docker manifests and indexes. */
export const MANIFEST_ACCEPT: string = [
  OCI_MEDIA_TYPES.manifest,
  OCI_MEDIA_TYPES.index,
  OCI_MEDIA_TYPES.dockerManifest,
  OCI_MEDIA_TYPES.dockerManifestList,
].join(", ");

/** An OCI content descriptor. */
export interface OciDescriptor {
  mediaType: string;
  /** `sha256:<hex>`. */
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
  platform?: { architecture: string; os: string; variant?: string; "os.version"?: string };
}
