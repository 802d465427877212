import { OCI_MEDIA_TYPES, type OciDescriptor } from "./oci-media-types.ts";
import { type BlobData, openRegistrySession, uploadBlob } from "./push-blob.ts";
import { putManifest } from "./push-manifest.ts";
import type { RegistryClientOptions } from "./registry-credentials.ts";

/** One layer (or the config) to push. */
export interface ArtifactBlob {
  mediaType: string;
  data: BlobData;
  /** e.g. `{ "org.opencontainers.image.title": "file.txt" }`. */
  annotations?: Record<string, string>;
}

/** Options of {@link pushArtifact}. */
export interface PushArtifactOptions extends RegistryClientOptions {
  layers: readonly ArtifactBlob[];
  /** The config blob. @default the OCI empty descriptor (`{}`, `application/vnd.oci.empty.v1+json`) */
  config?: ArtifactBlob;
  /** The manifest's `artifactType`. @default none */
  artifactType?: string;
  /** Media type of the manifest. @default "application/vnd.oci.image.manifest.v1+json" */
  manifestMediaType?: string;
  /** Manifest annotations. @default none */
  annotations?: Record<string, string>;
  /** The manifest's `subject` (the manifest this artifact refers to). @default none */
  subject?: OciDescriptor;
}

/** What {@link pushArtifact} pushed. */
export interface PushedArtifact {
  repository: string;
  tag: string;
  /** `sha256:<hex>` of the manifest bytes. */
  manifestDigest: string;
  manifestMediaType: string;
  /** The exact manifest bytes pushed. */
  manifest: Buffer;
  /** Descriptor of the manifest, for an index or a `subject`. */
  descriptor: OciDescriptor;
  config: OciDescriptor;
  layers: OciDescriptor[];
}

/**
 * Pushes an OCI artifact: each layer and the config as blobs (streamed when given as iterables),
 * then the manifest under `tag`. Follows the registry's challenge with `auth` (Basic or token).
 *
 * @example
 * ```ts
 * const pushed = await pushArtifact(registry.url, "conda/linux-64/zlib", "1.3-h0", {
 *   layers: [{ mediaType: "application/vnd.conda.package.v2", data: bytes,
 *     annotations: { "org.opencontainers.image.title": "zlib-1.3-h0.conda" } }],
 * });
 * ```
 */
export async function pushArtifact(
  registryUrl: string | URL,
  repository: string,
  tag: string,
  options: PushArtifactOptions,
): Promise<PushedArtifact> {
  const session = await openRegistrySession(registryUrl, repository, options);
  const layers: OciDescriptor[] = [];
  for (const layer of options.layers) {
    const { digest, size } = await uploadBlob(session, layer.data);
    layers.push({
      mediaType: layer.mediaType,
      digest,
      size,
      ...(layer.annotations ? { annotations: layer.annotations } : {}),
    });
  }
  const configBlob = options.config ?? { mediaType: OCI_MEDIA_TYPES.empty, data: "{}" };
  const configPushed = await uploadBlob(session, configBlob.data);
  const config: OciDescriptor = {
    mediaType: configBlob.mediaType,
    ...configPushed,
    ...(configBlob.annotations ? { annotations: configBlob.annotations } : {}),
  };
  const manifestMediaType = options.manifestMediaType ?? OCI_MEDIA_TYPES.manifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType,
      ...(options.artifactType ? { artifactType: options.artifactType } : {}),
      config,
      layers,
      ...(options.subject ? { subject: options.subject } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
    }),
  );
  const { digest, size } = await putManifest(session, tag, manifest, manifestMediaType);
  return {
    repository,
    tag,
    manifestDigest: digest,
    manifestMediaType,
    manifest,
    descriptor: {
      mediaType: manifestMediaType,
      digest,
      size,
      ...(options.artifactType ? { artifactType: options.artifactType } : {}),
    },
    config,
    layers,
  };
}
