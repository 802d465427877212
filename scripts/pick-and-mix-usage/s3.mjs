// @switchyard/s3 with core: an s3:// URL becomes a SigV4-signed path-style request to a local
// endpoint; an S3 error answer becomes the typed S3Error.
import { createClient } from "@switchyard/core";
import { s3 } from "@switchyard/s3";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((req, res) => {
  if (req.url === "/bucket/reports/q1.csv") {
    res.end("a,b\n1,2\n");
    return;
  }
  res.writeHead(404, { "content-type": "application/xml" });
  res.end("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
});
const client = createClient({
  middleware: [
    s3({
      endpoint: server.origin,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDPICKANDMIX", secretAccessKey: "pick-and-mix-secret" },
    }),
  ],
});
try {
  const res = await client.request("s3://bucket/reports/q1.csv");
  check(res.status === 200, `status ${res.status}`);
  check((await res.text()) === "a,b\n1,2\n", "body");
  const sent = server.requests[0];
  check(
    sent.headers.authorization?.startsWith("AWS4-HMAC-SHA256 Credential=AKIDPICKANDMIX/"),
    "SigV4 header",
  );
  check(typeof sent.headers["x-amz-date"] === "string", "x-amz-date header");

  const failure = await client.request("s3://bucket/missing").then(
    (r) => r,
    (error) => error,
  );
  check(
    failure?.code === "SWITCHYARD_ERR_S3" && failure.s3Code === "NoSuchKey",
    `typed S3Error, got ${failure}`,
  );
} finally {
  await client.close();
  await server.close();
}
console.log("s3: an s3:// URL was signed and served from a local endpoint; a 404 became S3Error");
