// @switchyard/core alone: a request and a fetch through a client with no middleware, and the typed
// error for a scheme no middleware handled.
import { createClient, isSwitchyardError } from "@switchyard/core";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res) => res.end("hello"));
const client = createClient();
try {
  const res = await client.request(`${server.origin}/a`);
  check(res.status === 200, `status ${res.status}`);
  check((await res.text()) === "hello", "body");
  const web = await client.fetch(`${server.origin}/b`);
  check(web instanceof Response && (await web.text()) === "hello", "client.fetch returns a Response");
  const failure = await client.request("oci://registry.example/repo:1").then(
    () => undefined,
    (error) => error,
  );
  check(isSwitchyardError(failure), `oci: without a plugin fails typed, got ${failure}`);
  check(failure.code === "SWITCHYARD_ERR_UNSUPPORTED_SCHEME", `code ${failure.code}`);
  check(failure.message.includes("@switchyard/oci"), `message names the plugin: ${failure.message}`);
} finally {
  await client.close();
  await server.close();
}
console.log("core: request, fetch and the unsupported-scheme error work");
