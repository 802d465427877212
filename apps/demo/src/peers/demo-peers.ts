import {
  pushArtifact,
  type RegistryPeer,
  type S3Peer,
  startRegistry,
  startS3,
  whichRegistry,
} from "@switchyard/test-peers";
import { type GcsWithOAuth, startGcsWithOAuth } from "@switchyard/test-peers/gcs";
import { putStandInArtifact, type StandIn, startStandIn } from "@switchyard/test-peers/oci";
import { type OriginServers, startOriginServers } from "./origin-servers.ts";

/** Which OCI registry to run: the CNCF one when installed (`auto`), or force one. */
export type RegistryChoice = "auto" | "cncf" | "stand-in";

/** The registry the matrix pulls from. */
export interface DemoRegistry {
  readonly kind: "cncf" | "stand-in";
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  /** How it was started, for the banner. */
  readonly description: string;
}

/** Every local peer the matrix needs, started once and shared by all cells. */
export interface DemoPeers {
  readonly origins: OriginServers;
  readonly s3: S3Peer;
  readonly gcs: GcsWithOAuth;
  readonly registry: DemoRegistry;
  /** What the fixtures contain, for the scenarios' checks. */
  readonly fixtures: DemoFixtures;
  stop(): Promise<void>;
}

/** Objects seeded into the peers before the matrix runs. */
export interface DemoFixtures {
  readonly s3Bucket: string;
  readonly s3Key: string;
  readonly s3Text: string;
  readonly gcsBucket: string;
  readonly gcsObject: string;
  readonly gcsText: string;
  readonly ociRepository: string;
  readonly ociTag: string;
  readonly ociTitle: string;
  readonly ociText: string;
}

export const FIXTURES: DemoFixtures = Object.freeze({
  s3Bucket: "demo",
  s3Key: "fixtures/hello.txt",
  s3Text: "hello from s3rver, through a SigV4 check\n",
  gcsBucket: "demo-bucket",
  gcsObject: "fixtures/hello.txt",
  gcsText: "hello from the GCS stand-in, with an OAuth2 token\n",
  ociRepository: "demo/hello",
  ociTag: "1.0",
  ociTitle: "hello.txt",
  ociText: "hello from an OCI registry, digest checked\n",
});

const LAYER_TYPE = "text/plain";

async function startDemoRegistry(
  choice: RegistryChoice,
): Promise<{ registry: DemoRegistry; stop: () => Promise<void> }> {
  const installed = whichRegistry();
  if (choice === "cncf" || (choice === "auto" && installed)) {
    // Token mode, as public registries run: anonymous pulls get a token from the token server.
    const peer: RegistryPeer = await startRegistry({
      auth: { kind: "token", anonymous: true, users: { demo: "demo-pw" } },
    });
    try {
      await pushArtifact(peer.url, FIXTURES.ociRepository, FIXTURES.ociTag, {
        layers: [
          {
            mediaType: LAYER_TYPE,
            data: Buffer.from(FIXTURES.ociText),
            annotations: { "org.opencontainers.image.title": FIXTURES.ociTitle },
          },
        ],
        auth: { username: "demo", password: "demo-pw" },
      });
    } catch (error) {
      await peer.stop();
      throw error;
    }
    return {
      registry: {
        kind: "cncf",
        host: peer.host,
        description: `CNCF distribution registry (${installed}, token auth) at ${peer.url}`,
      },
      stop: () => peer.stop(),
    };
  }
  // Token mode too: every route answers 401 with a Bearer challenge until a token from its /token.
  const standIn: StandIn = await startStandIn();
  standIn.auth = "bearer";
  putStandInArtifact(standIn, FIXTURES.ociRepository, FIXTURES.ociTag, {
    mediaType: LAYER_TYPE,
    data: Buffer.from(FIXTURES.ociText),
    title: FIXTURES.ociTitle,
  });
  const why =
    choice === "stand-in" ? "asked for with --registry stand-in" : "docker-registry is not installed";
  return {
    registry: {
      kind: "stand-in",
      host: standIn.host,
      description: `in-process OCI stand-in (${why}; token auth) at ${standIn.origin}`,
    },
    stop: () => standIn.stop(),
  };
}

/**
 * Starts s3rver behind the SigV4 front, the GCS stand-in, the registry and the plain-HTTP hosts, and
 * seeds each with its fixture. Everything listens on 127.0.0.1 only.
 */
export async function startDemoPeers(options: { registry?: RegistryChoice } = {}): Promise<DemoPeers> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    await Promise.allSettled(stops.reverse().map((stop) => stop()));
  };
  try {
    const s3 = await startS3({ buckets: [FIXTURES.s3Bucket] });
    stops.push(() => s3.stop());
    // Seeded straight into s3rver: the fixture must not depend on the plugin under test.
    const seeded = await fetch(`${s3.upstreamUrl}/${FIXTURES.s3Bucket}/${FIXTURES.s3Key}`, {
      method: "PUT",
      body: FIXTURES.s3Text,
    });
    if (!seeded.ok) throw new Error(`seeding s3rver failed: ${seeded.status}`);

    const gcs = await startGcsWithOAuth({
      buckets: [FIXTURES.gcsBucket],
      clientEmail: "demo@switchyard-demo.iam.gserviceaccount.com",
    });
    stops.push(() => gcs.stop());
    gcs.gcs.put(FIXTURES.gcsBucket, FIXTURES.gcsObject, FIXTURES.gcsText, "text/plain");

    const registry = await startDemoRegistry(options.registry ?? "auto");
    stops.push(registry.stop);

    // Last, so that no peer started after it can take the dead primary's port.
    const origins = await startOriginServers();
    stops.push(() => origins.close());

    return { origins, s3, gcs, registry: registry.registry, fixtures: FIXTURES, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
