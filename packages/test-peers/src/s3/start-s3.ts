import { mkdir } from "node:fs/promises";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createPeerTempDir } from "@switchyard/testkit/process";
import { type S3RequestRecord, startSigV4Front } from "./sigv4-front.ts";
import type { SigV4Credentials } from "./sigv4-verify.ts";

/** The part of s3rver's API used here (s3rver ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

const S3rver = createRequire(import.meta.url)("s3rver") as S3rverConstructor;

/** A bucket to create at start; `public: true` lets anonymous requests read it (GET/HEAD). */
export type S3BucketOption = string | { name: string; public?: boolean };

/** Options of {@link startS3}. */
export interface S3Options {
  /** Buckets created at start. @default ["switchyard"] */
  buckets?: readonly S3BucketOption[];
  /** The key the front accepts. @default { accessKeyId: "SWITCHYARDTESTKEY", secretAccessKey: "switchyard-testkit-secret" } */
  credentials?: SigV4Credentials;
  /** Region expected in credential scopes. @default "us-east-1" */
  region?: string;
  /** Signed-payload bodies up to this size are verified in memory, larger ones in a spool file. @default 8 MiB */
  memoryLimitBytes?: number;
}

/** A running s3rver behind the SigV4-verifying front. */
export interface S3Peer {
  /** The front: `http://127.0.0.1:PORT`, the endpoint to give clients (path style). */
  readonly url: string;
  readonly port: number;
  readonly region: string;
  readonly credentials: SigV4Credentials;
  readonly buckets: readonly string[];
  /** s3rver itself, without any signature check: for seeding or inspecting in tests only. */
  readonly upstreamUrl: string;
  /** Temp dir holding s3rver's store and spooled bodies; removed on stop. */
  readonly dir: string;
  /** Requests the front handled, oldest first. */
  readonly requests: readonly S3RequestRecord[];
  /** `Host` header value for virtual-host style: `<bucket>.s3.amazonaws.com:<port>` (connect to 127.0.0.1). */
  virtualHost(bucket: string): string;
  /** Stops the front and s3rver and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver (in this process) on 127.0.0.1 with the given buckets, behind a front that verifies
 * SigV4 like S3 does (see {@link startSigV4Front}). Clients talk to `url`.
 *
 * @example
 * ```ts
 * const s3 = await startS3({ buckets: ["data", { name: "public-data", public: true }] });
 * const client = new S3Client({ endpoint: s3.url, region: s3.region, forcePathStyle: true, credentials: s3.credentials });
 * await client.send(new PutObjectCommand({ Bucket: "data", Key: "k", Body: "v" }));
 * await s3.stop();
 * ```
 */
export async function startS3(options: S3Options = {}): Promise<S3Peer> {
  const buckets = (options.buckets ?? ["switchyard"]).map((b) => (typeof b === "string" ? { name: b } : b));
  const credentials = options.credentials ?? {
    accessKeyId: "SWITCHYARDTESTKEY",
    secretAccessKey: "switchyard-testkit-secret",
  };
  const region = options.region ?? "us-east-1";
  const temp = await createPeerTempDir("s3");
  let s3rver: S3rverInstance | undefined;
  try {
    const store = join(temp.path, "store");
    const spool = join(temp.path, "spool");
    await mkdir(store);
    await mkdir(spool);
    const server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      directory: store,
      silent: true,
      configureBuckets: buckets.map(({ name }) => ({ name })),
    });
    const address = await server.run();
    s3rver = server;
    const front = await startSigV4Front({
      upstream: { host: "127.0.0.1", port: address.port },
      credentials: [credentials],
      region,
      publicBuckets: buckets.filter((b) => b.public).map((b) => b.name),
      memoryLimitBytes: options.memoryLimitBytes,
      spoolDir: spool,
    });
    let stopped: Promise<void> | undefined;
    return {
      url: front.url,
      port: front.port,
      region,
      credentials,
      buckets: buckets.map((b) => b.name),
      upstreamUrl: `http://127.0.0.1:${address.port}`,
      dir: temp.path,
      requests: front.requests,
      virtualHost: (bucket) => `${bucket}.s3.amazonaws.com:${front.port}`,
      stop() {
        stopped ??= (async () => {
          await front.stop();
          const closing = server.close();
          server.httpServer?.closeAllConnections();
          await closing;
          await temp.remove();
        })();
        return stopped;
      },
    };
  } catch (error) {
    if (s3rver) {
      const closing = s3rver.close().catch(() => {});
      s3rver.httpServer?.closeAllConnections();
      await closing;
    }
    await temp.remove();
    throw error;
  }
}
