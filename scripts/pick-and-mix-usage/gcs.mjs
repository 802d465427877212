// @switchyard/gcs with core: a gs:// URL becomes a bearer-token request to a local emulator
// endpoint; a 404 answer becomes the typed GcsError.
import { createClient } from "@switchyard/core";
import { gcs, staticToken } from "@switchyard/gcs";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((req, res) => {
  if (req.url.includes("table.csv")) {
    res.end("x,y\n");
    return;
  }
  res.writeHead(404, { "content-type": "application/json" });
  res.end('{"error":{"code":404,"message":"No such object","errors":[{"reason":"notFound"}]}}');
});
const client = createClient({
  middleware: [gcs({ endpoint: server.origin, auth: staticToken("pick-and-mix-token") })],
});
try {
  const res = await client.request("gs://bucket/data/table.csv");
  check(res.status === 200, `status ${res.status}`);
  check((await res.text()) === "x,y\n", "body");
  const sent = server.requests[0];
  check(
    sent.headers.authorization === "Bearer pick-and-mix-token",
    `authorization ${sent.headers.authorization}`,
  );
  check(sent.url.includes("bucket"), `path names the bucket: ${sent.url}`);

  const failure = await client.request("gs://bucket/missing").then(
    (r) => r,
    (error) => error,
  );
  check(failure?.code === "SWITCHYARD_ERR_GCS" && failure.status === 404, `typed GcsError, got ${failure}`);
} finally {
  await client.close();
  await server.close();
}
console.log("gcs: a gs:// URL was served from a local endpoint with the bearer token; a 404 became GcsError");
