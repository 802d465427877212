import { Context, createClient, servedByKey } from "@switchyard/core";
import type { PushedArtifact, RegistryPeer } from "@switchyard/test-peers";
import {
  OCI_MEDIA_TYPES,
  pushArtifact,
  pushIndex,
  pushManifest,
  requirePeer,
  startRegistry,
} from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestOf } from "../src/digest.ts";
import { OciManifestError, OciNotFoundError, OciReferenceError } from "../src/errors.ts";
import { TITLE_ANNOTATION } from "../src/manifest.ts";
import { oci } from "../src/oci.ts";
import { innerRecorder, listen } from "./helpers.ts";

const registry = requirePeer("registry");

describe.skipIf(registry.skip)(`oci against the CNCF registry, open ${registry.reason}`, () => {
  let peer: RegistryPeer;
  let files: PushedArtifact;
  let single: PushedArtifact;
  let amd64: PushedArtifact;
  let arm64: PushedArtifact;
  const csv = Buffer.from("a,b\n1,2\n");
  const readme = Buffer.from("# readme\n");

  beforeAll(async () => {
    peer = await startRegistry();
    files = await pushArtifact(peer.url, "org/files", "1.0", {
      layers: [
        { mediaType: "text/csv", data: csv, annotations: { [TITLE_ANNOTATION]: "data.csv" } },
        { mediaType: "text/markdown", data: readme, annotations: { [TITLE_ANNOTATION]: "README.md" } },
      ],
    });
    single = await pushArtifact(peer.url, "org/single", "v1", {
      layers: [{ mediaType: "application/octet-stream", data: "only layer" }],
    });
    amd64 = await pushArtifact(peer.url, "org/multi", "amd64", {
      layers: [{ mediaType: "application/octet-stream", data: "built for amd64" }],
    });
    arm64 = await pushArtifact(peer.url, "org/multi", "arm64", {
      layers: [{ mediaType: "application/octet-stream", data: "built for arm64/v8" }],
    });
    await pushIndex(peer.url, "org/multi", "latest", {
      manifests: [
        { ...amd64.descriptor, platform: { os: "linux", architecture: "amd64" } },
        {
          ...arm64.descriptor,
          platform: { os: "linux", architecture: "arm64", variant: "v8" },
          annotations: { "org.opencontainers.image.ref.name": "arm" },
        },
      ],
    });
  });
  afterAll(async () => {
    await peer?.stop();
  });

  function client(options: Parameters<typeof oci>[0] = {}) {
    const recorder = innerRecorder();
    const c = createClient({ middleware: [recorder, oci({ insecureRegistries: [peer.host], ...options })] });
    return { client: c, seen: recorder.seen };
  }

  it("pulls a layer by its title annotation, through the inner chain, probing /v2/ once", async () => {
    const { client: c, seen } = client();
    try {
      const res = await c.request(`oci://${peer.host}/org/files:1.0?title=data.csv`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.bytes())).toEqual(csv);
      const again = await c.request(`oci://${peer.host}/org/files:1.0#title=README.md`);
      expect(await again.text()).toBe(readme.toString());
      expect(seen.map((s) => `${s.method} ${new URL(s.url).pathname} ${s.status}`)).toEqual([
        "GET /v2/ 200",
        "GET /v2/org/files/manifests/1.0 200",
        `GET /v2/org/files/blobs/${files.layers[0]!.digest} 200`,
        "GET /v2/org/files/manifests/1.0 200",
        `GET /v2/org/files/blobs/${files.layers[1]!.digest} 200`,
      ]);
      expect(
        seen.every((s) => s.url.startsWith(`http://${peer.host}/`) && s.authorization === undefined),
      ).toBe(true);
    } finally {
      await c.close();
    }
  });

  it("pulls by media type, from the URL or the layer option", async () => {
    const { client: c } = client({ layer: { mediaType: "text/markdown" } });
    try {
      expect(await (await c.request(`oci://${peer.host}/org/files:1.0?mediaType=text/csv`)).text()).toBe(
        csv.toString(),
      );
      expect(await (await c.request(`oci://${peer.host}/org/files:1.0`)).text()).toBe(readme.toString());
    } finally {
      await c.close();
    }
  });

  it("takes the only layer without a selector, `latest` without a tag, and works through client.fetch", async () => {
    await pushArtifact(peer.url, "org/single", "latest", {
      layers: [{ mediaType: "text/plain", data: "the latest" }],
    });
    const { client: c } = client();
    try {
      expect(await (await c.request(`oci://${peer.host}/org/single:v1`)).text()).toBe("only layer");
      const res = await c.fetch(`oci://${peer.host}/org/single`);
      expect(res.ok).toBe(true);
      expect(await res.text()).toBe("the latest");
    } finally {
      await c.close();
    }
  });

  it("goes straight to the blob for a digest, sets servedBy, and reports the resolution", async () => {
    const { client: c, seen } = client();
    const events = listen("switchyard:oci:resolve");
    try {
      const digest = files.layers[1]!.digest;
      const context = new Context();
      const res = await c.request(`oci://${peer.host}/org/files@${digest}`, { context });
      expect(await res.text()).toBe(readme.toString());
      expect(seen.map((s) => new URL(s.url).pathname)).toEqual(["/v2/", `/v2/org/files/blobs/${digest}`]);
      expect(context.get(servedByKey)).toEqual({ kind: "registry", url: `http://${peer.host}/org/files` });
      expect(events.messages).toMatchObject([
        { registry: peer.host, repository: "org/files", digest, via: "digest" },
      ]);
    } finally {
      events.stop();
      await c.close();
    }
  });

  it("falls back to the manifest when the digest names a manifest, and checks the manifest's digest", async () => {
    const { client: c, seen } = client();
    try {
      const res = await c.request(`oci://${peer.host}/org/single@${single.manifestDigest}`);
      expect(await res.text()).toBe("only layer");
      expect(seen.map((s) => `${new URL(s.url).pathname} ${s.status}`)).toEqual([
        "/v2/ 200",
        `/v2/org/single/blobs/${single.manifestDigest} 404`,
        `/v2/org/single/manifests/${single.manifestDigest} 200`,
        `/v2/org/single/blobs/${single.layers[0]!.digest} 200`,
      ]);
      // With a layer selector the digest can only be a manifest's: no blob attempt.
      const titled = await c.request(`oci://${peer.host}/org/files@${files.manifestDigest}?title=data.csv`);
      expect(await titled.text()).toBe(csv.toString());
    } finally {
      await c.close();
    }
  });

  it("resolves an index by platform (option or URL) and by annotation", async () => {
    const { client: c } = client({ platform: "linux/amd64" });
    try {
      expect(await (await c.request(`oci://${peer.host}/org/multi`)).text()).toBe("built for amd64");
      expect(await (await c.request(`oci://${peer.host}/org/multi?platform=linux/arm64/v8`)).text()).toBe(
        "built for arm64/v8",
      );
      expect(
        await (
          await c.request(`oci://${peer.host}/org/multi?annotation.org.opencontainers.image.ref.name=arm`)
        ).text(),
      ).toBe("built for arm64/v8");
    } finally {
      await c.close();
    }
  });

  it("refuses an index with several entries and no selector, naming them", async () => {
    const { client: c } = client();
    try {
      await expect(c.request(`oci://${peer.host}/org/multi`)).rejects.toThrow(OciManifestError);
      await expect(c.request(`oci://${peer.host}/org/multi`)).rejects.toThrow(
        /linux\/amd64, linux\/arm64\/v8/,
      );
      await expect(c.request(`oci://${peer.host}/org/multi?platform=windows/amd64`)).rejects.toMatchObject({
        name: "OciNotFoundError",
        missing: "manifest",
        status: 404,
      });
    } finally {
      await c.close();
    }
  });

  it("reads Docker v2 manifests and manifest lists", async () => {
    const docker = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MEDIA_TYPES.dockerManifest,
        config: { ...single.config, mediaType: "application/vnd.docker.container.image.v1+json" },
        layers: [{ ...single.layers[0]!, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" }],
      }),
    );
    const pushed = await pushManifest(
      peer.url,
      "org/single",
      "docker",
      docker,
      OCI_MEDIA_TYPES.dockerManifest,
    );
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MEDIA_TYPES.dockerManifestList,
        manifests: [
          {
            mediaType: OCI_MEDIA_TYPES.dockerManifest,
            ...pushed,
            platform: { os: "linux", architecture: "s390x" },
          },
        ],
      }),
    );
    await pushManifest(peer.url, "org/single", "docker-list", list, OCI_MEDIA_TYPES.dockerManifestList);
    const { client: c } = client();
    try {
      expect(await (await c.request(`oci://${peer.host}/org/single:docker`)).text()).toBe("only layer");
      expect(
        await (await c.request(`oci://${peer.host}/org/single:docker-list?platform=linux/s390x`)).text(),
      ).toBe("only layer");
    } finally {
      await c.close();
    }
  });

  it("answers HEAD from the blob, without a body", async () => {
    const { client: c, seen } = client();
    try {
      const res = await c.request(`oci://${peer.host}/org/files:1.0?title=data.csv`, { method: "HEAD" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-length")).toBe(String(csv.length));
      expect(res.headers.get("docker-content-digest")).toBe(digestOf(csv));
      expect(seen.at(-1)?.method).toBe("HEAD");
      expect(seen.at(-2)?.method).toBe("GET");
    } finally {
      await c.close();
    }
  });

  it("forwards Range and hands back the unverifiable 206 as is", async () => {
    const { client: c } = client();
    try {
      const res = await c.request(`oci://${peer.host}/org/files:1.0?title=data.csv`, {
        headers: { range: "bytes=4-6" },
      });
      expect(res.status).toBe(206);
      expect(await res.text()).toBe("1,2");
    } finally {
      await c.close();
    }
  });

  it.each([
    ["org/files:2.0", "manifest", "MANIFEST_UNKNOWN", /manifest 127\.0\.0\.1:\d+\/org\/files:2\.0 not found/],
    // distribution 2.8 answers MANIFEST_UNKNOWN (not NAME_UNKNOWN) for a tag of an unknown repository.
    [
      "org/nothing:1.0",
      "manifest",
      "MANIFEST_UNKNOWN",
      /manifest 127\.0\.0\.1:\d+\/org\/nothing:1\.0 not found/,
    ],
    [`org/files@${digestOf("missing")}`, "blob", "MANIFEST_UNKNOWN", /neither a blob nor a manifest/],
  ])("fails with a clear 404 for %s", async (path, missing, code, message) => {
    const { client: c } = client();
    try {
      const error = await c.request(`oci://${peer.host}/${path}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OciNotFoundError);
      expect(error).toMatchObject({ status: 404, missing, code: "SWITCHYARD_ERR_OCI_NOT_FOUND" });
      expect((error as OciNotFoundError).codes).toContain(code);
      expect((error as Error).message).toMatch(message);
    } finally {
      await c.close();
    }
  });

  it("fails with a 404 naming the layer asked for and the layers there are", async () => {
    const { client: c } = client();
    try {
      const error = await c
        .request(`oci://${peer.host}/org/files:1.0?title=nope.txt`)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "OciNotFoundError", missing: "layer", status: 404 });
      expect((error as Error).message).toMatch(
        /org\/files:1\.0: no layer with title "nope.txt" \(layers: "data.csv"/,
      );
      await expect(c.request(`oci://${peer.host}/org/files:1.0`)).rejects.toThrow(
        /2 layers .*choose one with \?title=/,
      );
    } finally {
      await c.close();
    }
  });

  it("refuses bad references and methods other than GET and HEAD before any request", async () => {
    const { client: c, seen } = client();
    try {
      await expect(c.request(`oci://${peer.host}/Org/Files:1.0`)).rejects.toThrow(OciReferenceError);
      await expect(
        c.request(`oci://${peer.host}/org/files:1.0`, { method: "PUT", body: "x" }),
      ).rejects.toThrow(/GET and HEAD only/);
      expect(seen).toEqual([]);
    } finally {
      await c.close();
    }
  });

  it("leaves other URLs alone", async () => {
    const { client: c, seen } = client();
    try {
      const res = await c.request(`${peer.url}/v2/`);
      expect(res.status).toBe(200);
      await res.discard();
      expect(seen).toHaveLength(1);
    } finally {
      await c.close();
    }
  });

  it("uses https unless the registry is listed as insecure", async () => {
    const c = createClient({ middleware: [oci({ insecureRegistries: (r) => r === "other:1" })] });
    try {
      // The registry speaks plain http, so an https request to it fails at the TLS handshake.
      await expect(c.request(`oci://${peer.host}/org/single:v1`)).rejects.toMatchObject({
        name: "ConnectError",
      });
    } finally {
      await c.close();
    }
  });
});
