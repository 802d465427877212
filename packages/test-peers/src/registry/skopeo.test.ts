import { describe, expect, it } from "vitest";
import { requirePeer } from "../peer-availability.ts";
import { pushArtifact } from "./push-artifact.ts";
import { skopeoCopyToDir, skopeoInspectRaw } from "./skopeo.ts";
import { startRegistry } from "./start-registry.ts";

const registry = requirePeer("registry");
const skopeo = requirePeer("skopeo");
const skip = registry.skip || skopeo.skip;

describe.skipIf(skip)(`skopeo reads what pushArtifact pushed ${registry.reason} ${skopeo.reason}`, () => {
  it("sees the same manifest bytes and blobs (open registry)", async () => {
    const peer = await startRegistry();
    try {
      const layer = Buffer.from("read me with another client\n");
      const pushed = await pushArtifact(peer.url, "check/skopeo", "v1", {
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", data: layer }],
        config: {
          mediaType: "application/vnd.oci.image.config.v1+json",
          data: '{"architecture":"amd64","os":"linux"}',
        },
      });
      expect(await skopeoInspectRaw(peer.url, "check/skopeo", "v1")).toEqual(pushed.manifest);
      const copy = await skopeoCopyToDir(peer.url, "check/skopeo", pushed.manifestDigest);
      try {
        expect(copy.manifest).toEqual(pushed.manifest);
        expect(await copy.readBlob(pushed.layers[0]?.digest ?? "")).toEqual(layer);
      } finally {
        await copy.remove();
      }
    } finally {
      await peer.stop();
    }
  });

  it("authenticates through the token server with credentials", async () => {
    const peer = await startRegistry({ auth: { kind: "token", users: { carol: "c" } } });
    try {
      const creds = { username: "carol", password: "c" };
      const pushed = await pushArtifact(peer.url, "check/token", "v1", {
        artifactType: "application/vnd.switchyard.test",
        layers: [{ mediaType: "text/plain", data: "x" }],
        auth: creds,
      });
      expect(await skopeoInspectRaw(peer.url, "check/token", "v1", { creds })).toEqual(pushed.manifest);
      await expect(skopeoInspectRaw(peer.url, "check/token", "v1")).rejects.toThrow(/skopeo inspect/);
      expect(peer.tokenServer?.requests.some((r) => r.user === "carol" && r.status === 200)).toBe(true);
    } finally {
      await peer.stop();
    }
  });
});
