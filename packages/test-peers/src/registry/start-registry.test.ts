import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { isPortOpen, pidExists } from "@switchyard/testkit/process";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { requirePeer } from "../peer-availability.ts";
import { MANIFEST_ACCEPT, OCI_MEDIA_TYPES } from "./oci-media-types.ts";
import { pushArtifact } from "./push-artifact.ts";
import { pushIndex } from "./push-index.ts";
import { startRegistry } from "./start-registry.ts";

const registry = requirePeer("registry");
const TITLE = "org.opencontainers.image.title";

function* chunks(count: number, size: number): Generator<Uint8Array> {
  for (let i = 0; i < count; i++) yield Buffer.alloc(size, i % 251);
}

describe.skipIf(registry.skip)(`startRegistry (open) ${registry.reason}`, () => {
  it("pushes an artifact whose manifest and blobs read back byte for byte, then stops", async () => {
    const peer = await startRegistry();
    try {
      const small = Buffer.from("hello, registry\n");
      const pushed = await pushArtifact(peer.url, "switchyard/files", "v1", {
        artifactType: "application/vnd.switchyard.test",
        layers: [
          { mediaType: "text/plain", data: small, annotations: { [TITLE]: "hello.txt" } },
          { mediaType: "application/octet-stream", data: () => chunks(16, 64 * 1024) },
        ],
      });
      expect(pushed.layers[1]?.size).toBe(16 * 64 * 1024);
      expect(pushed.layers[1]?.digest).toBe(
        `sha256:${createHash("sha256")
          .update(Buffer.concat([...chunks(16, 64 * 1024)]))
          .digest("hex")}`,
      );

      // Without an Accept header distribution 2.8 answers 404 MANIFEST_UNKNOWN for OCI manifests.
      const bare = await request(`${peer.url}/v2/switchyard/files/manifests/v1`);
      expect(bare.statusCode).toBe(404);
      await bare.body.dump();

      const manifest = await request(`${peer.url}/v2/switchyard/files/manifests/v1`, {
        headers: { accept: MANIFEST_ACCEPT },
      });
      expect(manifest.statusCode).toBe(200);
      expect(manifest.headers["content-type"]).toBe(OCI_MEDIA_TYPES.manifest);
      expect(manifest.headers["docker-content-digest"]).toBe(pushed.manifestDigest);
      expect(Buffer.from(await manifest.body.arrayBuffer())).toEqual(pushed.manifest);
      const parsed = JSON.parse(pushed.manifest.toString()) as { layers: { annotations?: object }[] };
      expect(parsed.layers[0]?.annotations).toEqual({ [TITLE]: "hello.txt" });

      const blob = await request(`${peer.url}/v2/switchyard/files/blobs/${pushed.layers[0]?.digest}`);
      expect(blob.statusCode).toBe(200);
      expect(blob.headers["docker-content-digest"]).toBe(pushed.layers[0]?.digest);
      expect(Buffer.from(await blob.body.arrayBuffer())).toEqual(small);
      const range = await request(`${peer.url}/v2/switchyard/files/blobs/${pushed.layers[0]?.digest}`, {
        headers: { range: "bytes=7-14" },
      });
      expect(range.statusCode).toBe(206);
      expect(await range.body.text()).toBe("registry");

      const index = await pushIndex(peer.url, "switchyard/files", "multi", {
        manifests: [{ ...pushed.descriptor, platform: { os: "linux", architecture: "amd64" } }],
      });
      const readIndex = await request(`${peer.url}/v2/switchyard/files/manifests/multi`, {
        headers: { accept: MANIFEST_ACCEPT },
      });
      expect(readIndex.headers["content-type"]).toBe(OCI_MEDIA_TYPES.index);
      expect(readIndex.headers["docker-content-digest"]).toBe(index.digest);
      expect(Buffer.from(await readIndex.body.arrayBuffer())).toEqual(index.index);
    } finally {
      await peer.stop();
    }
    expect(pidExists(peer.pid)).toBe(false);
    expect(await isPortOpen(peer.port)).toBe(false);
    expect(existsSync(peer.dir)).toBe(false);
  });
});

describe.skipIf(registry.skip)(`startRegistry (htpasswd) ${registry.reason}`, () => {
  it("answers 401 with a Basic challenge, 200 with the right credentials", async () => {
    const peer = await startRegistry({
      auth: { kind: "htpasswd", users: { alice: "wonder land" }, realm: "sy" },
    });
    try {
      const anonymous = await request(`${peer.url}/v2/`);
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers["www-authenticate"]).toBe('Basic realm="sy"');
      await anonymous.body.dump();
      const wrong = await request(`${peer.url}/v2/`, {
        headers: { authorization: `Basic ${btoa("alice:nope")}` },
      });
      expect(wrong.statusCode).toBe(401);
      await wrong.body.dump();
      const good = await request(`${peer.url}/v2/`, {
        headers: { authorization: `Basic ${btoa("alice:wonder land")}` },
      });
      expect(good.statusCode).toBe(200);
      await good.body.dump();
      const pushed = await pushArtifact(peer.url, "private/a", "1", {
        layers: [{ mediaType: "text/plain", data: "x" }],
        auth: { username: "alice", password: "wonder land" },
      });
      expect(pushed.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      await expect(
        pushArtifact(peer.url, "private/a", "2", { layers: [{ mediaType: "text/plain", data: "x" }] }),
      ).rejects.toThrow(/Basic credentials/);
    } finally {
      await peer.stop();
    }
  });
});
