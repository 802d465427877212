import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@switchyard/core";
import type { RegistryPeer } from "@switchyard/test-peers";
import { requirePeer, runSkopeo, startRegistry } from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TITLE_ANNOTATION } from "../src/manifest.ts";
import { oci } from "../src/oci.ts";
import { memoryStore } from "./helpers.ts";

const registry = requirePeer("registry");
const skopeo = requirePeer("skopeo");
const USER = { username: "pusher", password: "skopeo-push-secret" };

const digestOf = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** Writes an OCI image layout (the format `skopeo copy oci:DIR:tag` reads) holding one artifact. */
async function writeLayout(
  dir: string,
  tag: string,
  layers: { mediaType: string; data: Buffer; title: string }[],
) {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  const put = async (data: Buffer) => {
    const digest = digestOf(data);
    await writeFile(join(dir, "blobs", "sha256", digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: layers.map((l) => digestOf(l.data)) },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...(await put(config)) },
      layers: await Promise.all(
        layers.map(async (l) => ({
          mediaType: l.mediaType,
          ...(await put(l.data)),
          annotations: { [TITLE_ANNOTATION]: l.title },
        })),
      ),
    }),
  );
  const m = await put(manifest);
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          ...m,
          annotations: { "org.opencontainers.image.ref.name": tag },
        },
      ],
    }),
  );
  return m.digest;
}

describe.skipIf(registry.skip || skopeo.skip)(
  `oci reads what skopeo pushed (independent client) ${registry.reason || skopeo.reason}`,
  () => {
    let peer: RegistryPeer;
    let dir: string;

    beforeAll(async () => {
      peer = await startRegistry({ auth: { kind: "token", users: { [USER.username]: USER.password } } });
      dir = await mkdtemp(join(tmpdir(), "switchyard-oci-layout-"));
    });
    afterAll(async () => {
      await peer?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("pulls each layer of an artifact skopeo copied into the registry with token auth", async () => {
      const layers = [
        {
          mediaType: "application/vnd.oci.image.layer.v1.tar",
          data: Buffer.from("tar-ish layer bytes\n".repeat(100)),
          title: "layer.tar",
        },
        {
          mediaType: "application/vnd.conda.package.v2",
          data: Buffer.from("conda package from skopeo\n".repeat(30)),
          title: "pkg-1.0-0.conda",
        },
      ];
      const manifestDigest = await writeLayout(dir, "1.0", layers);
      await runSkopeo([
        "copy",
        "--quiet",
        "--preserve-digests",
        "--dest-tls-verify=false",
        "--dest-creds",
        `${USER.username}:${USER.password}`,
        `oci:${dir}:1.0`,
        `docker://${peer.host}/skopeo/artifact:1.0`,
      ]);
      const store = memoryStore({
        [`http://${peer.host}/`]: { kind: "basic", ...USER, allowInsecureHttp: true },
      });
      const c = createClient({ middleware: [oci({ insecureRegistries: [peer.host], credentials: store })] });
      try {
        for (const layer of layers) {
          const res = await c.request(`oci://${peer.host}/skopeo/artifact:1.0?title=${layer.title}`);
          expect(Buffer.from(await res.bytes())).toEqual(layer.data);
        }
        const byMediaType = await c.request(
          `oci://${peer.host}/skopeo/artifact@${manifestDigest}?mediaType=application/vnd.conda.package.v2`,
        );
        expect(Buffer.from(await byMediaType.bytes())).toEqual(layers[1]!.data);
      } finally {
        await c.close();
      }
    });
  },
);
