// Every official plugin in one client, listed in an arbitrary order (core orders them by stage):
// a plain request that needs a retry and a credential, then s3:// and gs:// requests to local
// endpoints through the same chain.
import { auth, memoryStore } from "@switchyard/auth";
import { breaker } from "@switchyard/breaker";
import { attemptKey, createClient } from "@switchyard/core";
import { gcs, staticToken } from "@switchyard/gcs";
import { hedge } from "@switchyard/hedge";
import { mirror } from "@switchyard/mirror";
import { oci } from "@switchyard/oci";
import { rateLimit } from "@switchyard/rate-limit";
import { retry } from "@switchyard/retry";
import { retryAfter } from "@switchyard/retry-after";
import { s3 } from "@switchyard/s3";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
let plainCalls = 0;
const server = await serve((req, res) => {
  if (req.url.startsWith("/mirror/")) {
    plainCalls += 1;
    res.statusCode = plainCalls === 1 ? 503 : 200;
    res.end(plainCalls === 1 ? "busy" : "plain");
  } else if (req.url === "/bucket/key.txt") {
    res.end("from s3");
  } else if (req.url.includes("object.txt")) {
    res.end("from gcs");
  } else {
    res.statusCode = 404;
    res.end();
  }
});
const client = createClient({
  middleware: [
    auth({
      stores: [memoryStore({ [server.host]: { kind: "bearer", token: "all-token" } })],
      allowInsecureHttp: true,
    }),
    s3({
      endpoint: server.origin,
      region: "us-east-1",
      credentials: { accessKeyId: "AKID", secretAccessKey: "s" },
    }),
    gcs({ endpoint: server.origin, auth: staticToken("gcs-token") }),
    retryAfter(),
    mirror({ mirrors: { "https://origin.invalid/files": [`${server.origin}/mirror`] } }),
    oci({ insecureRegistries: [server.host] }),
    retry({ minDelay: 1, maxDelay: 5 }),
    breaker(),
    hedge(),
    rateLimit({ maxWait: 5_000 }),
  ],
});
try {
  const plain = await client.request("https://origin.invalid/files/a.txt");
  check(
    plain.status === 200 && (await plain.text()) === "plain",
    `mirrored + retried status ${plain.status}`,
  );
  check(plain.context.get(attemptKey) === 2, `attempts ${plain.context.get(attemptKey)}`);
  const mirrored = server.requests.filter((r) => r.url.startsWith("/mirror/"));
  check(mirrored.length === 2, `${mirrored.length} mirror requests`);
  check(
    mirrored.every((r) => r.headers.authorization === "Bearer all-token"),
    "auth runs inside mirror and retry: every attempt to the mirror carried its credential",
  );

  const fromS3 = await client.request("s3://bucket/key.txt");
  check((await fromS3.text()) === "from s3", "s3 body");
  const fromGcs = await client.request("gs://bucket/object.txt");
  check((await fromGcs.text()) === "from gcs", "gcs body");
} finally {
  await client.close();
  await server.close();
}
console.log(
  "all: ten plugins in one client (mirror, retry, auth, s3, gcs, oci, retry-after, breaker, hedge, rate-limit)",
);
