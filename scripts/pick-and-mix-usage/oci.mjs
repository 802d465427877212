// @switchyard/oci with core: an oci:// URL resolved against a minimal anonymous registry on
// 127.0.0.1 (manifest by tag, then the blob, its sha256 checked), and the typed digest error when
// the registry serves other bytes.
import { createHash } from "node:crypto";
import { createClient } from "@switchyard/core";
import { oci } from "@switchyard/oci";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const blob = Buffer.from("pick-and-mix layer\n");
const digest = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
const config = Buffer.from("{}");
const configDigest = `sha256:${createHash("sha256").update(config).digest("hex")}`;
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: configDigest, size: config.length },
    layers: [
      {
        mediaType: "text/plain",
        digest,
        size: blob.length,
        annotations: { "org.opencontainers.image.title": "layer.txt" },
      },
    ],
  }),
);
let corrupt = false;
const server = await serve((req, res) => {
  if (req.url === "/v2/" || req.url === "/v2") {
    res.end("{}");
  } else if (req.url === "/v2/org/data/manifests/1.0") {
    res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" });
    res.end(manifest);
  } else if (req.url === `/v2/org/data/blobs/${digest}`) {
    res.writeHead(200, { "content-type": "application/octet-stream", "docker-content-digest": digest });
    res.end(corrupt ? Buffer.from("other bytes, same size\n").subarray(0, blob.length) : blob);
  } else {
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"errors":[{"code":"NAME_UNKNOWN","message":"not here"}]}');
  }
});
const client = createClient({ middleware: [oci({ insecureRegistries: [server.host] })] });
try {
  const res = await client.request(`oci://${server.host}/org/data:1.0`);
  check(res.status === 200, `status ${res.status}`);
  const body = await res.text();
  check(body === blob.toString(), `body ${JSON.stringify(body)}`);

  corrupt = true;
  const bad = await client.request(`oci://${server.host}/org/data:1.0`);
  const failure = await bad.text().then(
    () => undefined,
    (error) => error,
  );
  check(failure?.code?.startsWith("SWITCHYARD_ERR_"), `corrupt blob fails typed, got ${failure}`);
} finally {
  await client.close();
  await server.close();
}
console.log("oci: an oci:// URL was served from a local registry; a corrupt blob failed typed");
