import { OCI_MEDIA_TYPES, type OciDescriptor } from "./oci-media-types.ts";
import { openRegistrySession } from "./push-blob.ts";
import { putManifest } from "./push-manifest.ts";
import type { RegistryClientOptions } from "./registry-credentials.ts";

/** Options of {@link pushIndex}. */
export interface PushIndexOptions extends RegistryClientOptions {
  /** Descriptors of manifests already in the repository (e.g. {@link PushedArtifact}.descriptor plus `platform`). */
  manifests: readonly OciDescriptor[];
  /** @default "application/vnd.oci.image.index.v1+json" */
  mediaType?: string;
  /** @default none */
  artifactType?: string;
  /** @default none */
  annotations?: Record<string, string>;
}

/** What {@link pushIndex} pushed. */
export interface PushedIndex {
  digest: string;
  size: number;
  mediaType: string;
  /** The exact index bytes pushed. */
  index: Buffer;
}

/** Pushes an OCI image index (or a Docker manifest list, by `mediaType`) listing `manifests` under `tag`. */
export async function pushIndex(
  registryUrl: string | URL,
  repository: string,
  tag: string,
  options: PushIndexOptions,
): Promise<PushedIndex> {
  const session = await openRegistrySession(registryUrl, repository, options);
  const mediaType = options.mediaType ?? OCI_MEDIA_TYPES.index;
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      ...(options.artifactType ? { artifactType: options.artifactType } : {}),
      manifests: options.manifests,
      ...(options.annotations ? { annotations: options.annotations } : {}),
    }),
  );
  const { digest, size } = await putManifest(session, tag, index, mediaType);
  return { digest, size, mediaType, index };
}
