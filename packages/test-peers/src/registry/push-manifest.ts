import { request } from "undici";
import { openRegistrySession, type RegistrySession, sha256Digest } from "./push-blob.ts";
import type { RegistryClientOptions } from "./registry-credentials.ts";

/** Puts manifest bytes in an open session under `reference` (tag or digest); checks the digest the registry reports. */
export async function putManifest(
  session: RegistrySession,
  reference: string,
  body: Uint8Array | string,
  mediaType: string,
): Promise<{ digest: string; size: number }> {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const digest = sha256Digest(bytes);
  const res = await request(new URL(`/v2/${session.repository}/manifests/${reference}`, session.base), {
    method: "PUT",
    headers: { ...session.headers, "content-type": mediaType },
    body: bytes,
    dispatcher: session.dispatcher,
  });
  if (res.statusCode !== 201) {
    const text = await res.body.text().catch(() => "");
    throw new Error(
      `manifest PUT ${session.repository}:${reference} answered ${res.statusCode}: ${text.slice(0, 500)}`,
    );
  }
  await res.body.dump();
  const reported = res.headers["docker-content-digest"];
  if (reported !== undefined && reported !== digest) {
    throw new Error(`registry reports digest ${String(reported)} for a manifest whose digest is ${digest}`);
  }
  return { digest, size: bytes.byteLength };
}

/** Pushes manifest bytes as they are (any media type) under `reference`; returns their digest and size. */
export async function pushManifest(
  registryUrl: string | URL,
  repository: string,
  reference: string,
  body: Uint8Array | string,
  mediaType: string,
  options: RegistryClientOptions = {},
): Promise<{ digest: string; size: number }> {
  return putManifest(await openRegistrySession(registryUrl, repository, options), reference, body, mediaType);
}
