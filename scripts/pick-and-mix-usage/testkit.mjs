// @switchyard/testkit with core: a scripted test server, generated certificates, and the
// framework-free conformance suite run against a pass-through middleware written on core's public
// API (small bodies, so this stays quick).
import { createClient } from "@switchyard/core";
import { runConformance } from "@switchyard/testkit/conformance";
import { startTestServer } from "@switchyard/testkit/servers";
import { getTestCertificates } from "@switchyard/testkit/tls";
import { check, watchdog } from "./serve.mjs";

watchdog(60_000);
const server = await startTestServer();
server.route("/flaky", [{ status: 503 }, { status: 200, body: "ok" }]);
const client = createClient();
try {
  const first = await client.request(`${server.origin}/flaky`);
  check(first.status === 503, `first status ${first.status}`);
  await first.discard();
  const second = await client.request(`${server.origin}/flaky`);
  check(second.status === 200 && (await second.text()) === "ok", "scripted second answer");
  check(server.requests.length === 2, `${server.requests.length} recorded requests`);
} finally {
  await client.close();
  await server.close();
}

const certs = getTestCertificates();
check(typeof certs.ca === "string" && certs.ca.includes("BEGIN CERTIFICATE"), "a PEM CA");

const passThrough = () => ({ name: "pass-through", stage: "send", handle: (request, next) => next(request) });
const result = await runConformance(passThrough, { bodySize: 64 * 2 ** 20, memoryLimit: 24 * 2 ** 20 });
const failures = result.failed.map(({ check: id, error }) => `${id}: ${error.message}`);
check(failures.length === 0, `conformance failures:\n${failures.join("\n")}`);
check(result.passed.length > 0, "some conformance checks ran");
console.log(
  `testkit: server, certificates and conformance (${result.passed.length} passed, ${result.skipped.length} skipped)`,
);
