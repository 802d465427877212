import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { type Dispatcher, request } from "undici";
import { type RegistryClientOptions, registryAuthorization } from "./registry-credentials.ts";

/**
 * Blob content: bytes or a string (sent in one PUT), or an iterable / async iterable of chunks or a
 * function returning one (streamed with PATCH, hashed on the way, never held whole in memory).
 */
export type BlobData =
  | Uint8Array
  | string
  | Iterable<Uint8Array>
  | AsyncIterable<Uint8Array>
  | (() => Iterable<Uint8Array> | AsyncIterable<Uint8Array>);

/** Where and how the push helpers talk to a registry once authorization is settled. */
export interface RegistrySession {
  base: URL;
  repository: string;
  headers: Record<string, string>;
  dispatcher: Dispatcher | undefined;
}

/** Opens a session for pushing to `repository` (resolves credentials once). */
export async function openRegistrySession(
  registryUrl: string | URL,
  repository: string,
  options: RegistryClientOptions = {},
): Promise<RegistrySession> {
  const authorization = await registryAuthorization(registryUrl, repository, ["pull", "push"], options);
  return {
    base: new URL(registryUrl),
    repository,
    headers: authorization ? { authorization } : {},
    dispatcher: options.dispatcher,
  };
}

async function expectStatus(res: Dispatcher.ResponseData, expected: number, what: string): Promise<void> {
  if (res.statusCode === expected) return;
  const text = await res.body.text().catch(() => "");
  throw new Error(`${what} answered ${res.statusCode}, expected ${expected}: ${text.slice(0, 500)}`);
}

function location(res: Dispatcher.ResponseData, base: URL, what: string): URL {
  const value = res.headers.location;
  const header = Array.isArray(value) ? value[0] : value;
  if (!header) throw new Error(`${what} answered without Location`);
  return new URL(header, base);
}

function withDigest(url: URL, digest: string): URL {
  const next = new URL(url);
  next.searchParams.set("digest", digest);
  return next;
}

/** sha256 digest of bytes, `sha256:<hex>`. */
export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Uploads one blob in an open session; returns its digest and size. */
export async function uploadBlob(
  session: RegistrySession,
  data: BlobData,
): Promise<{ digest: string; size: number }> {
  const { base, repository, headers, dispatcher } = session;
  const start = await request(new URL(`/v2/${repository}/blobs/uploads/`, base), {
    method: "POST",
    headers: { ...headers, "content-length": "0" },
    dispatcher,
  });
  await expectStatus(start, 202, `POST /v2/${repository}/blobs/uploads/`);
  await start.body.dump();
  let upload = location(start, base, "upload start");
  let digest: string;
  let size: number;
  if (typeof data === "string" || data instanceof Uint8Array) {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    digest = sha256Digest(bytes);
    size = bytes.byteLength;
    const put = await request(withDigest(upload, digest), {
      method: "PUT",
      headers: { ...headers, "content-type": "application/octet-stream" },
      body: bytes,
      dispatcher,
    });
    await expectStatus(put, 201, "blob PUT");
    await put.body.dump();
  } else {
    const source = typeof data === "function" ? data() : data;
    const hash = createHash("sha256");
    size = 0;
    async function* hashing(): AsyncGenerator<Uint8Array> {
      for await (const chunk of source) {
        hash.update(chunk);
        size += chunk.byteLength;
        yield chunk;
      }
    }
    const patch = await request(upload, {
      method: "PATCH",
      headers: { ...headers, "content-type": "application/octet-stream" },
      body: Readable.from(hashing(), { objectMode: false }),
      dispatcher,
    });
    await expectStatus(patch, 202, "blob PATCH");
    await patch.body.dump();
    // The registry may move the upload: always continue at the latest Location.
    upload = location(patch, base, "blob PATCH");
    digest = `sha256:${hash.digest("hex")}`;
    const put = await request(withDigest(upload, digest), {
      method: "PUT",
      headers: { ...headers, "content-length": "0" },
      dispatcher,
    });
    await expectStatus(put, 201, "blob PUT");
    await put.body.dump();
  }
  return { digest, size };
}

/**
 * Pushes one blob: `POST /v2/<name>/blobs/uploads/`, then `PUT <Location>?digest=` (bytes), or
 * `PATCH <Location>` with the stream and `PUT <latest Location>?digest=` (iterables).
 */
export async function pushBlob(
  registryUrl: string | URL,
  repository: string,
  data: BlobData,
  options: RegistryClientOptions = {},
): Promise<{ digest: string; size: number }> {
  return uploadBlob(await openRegistrySession(registryUrl, repository, options), data);
}
