// @switchyard/auth with core: a bearer token from a memory store reaches the matching host only.
import { auth, memoryStore } from "@switchyard/auth";
import { createClient } from "@switchyard/core";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res) => res.end("ok"));
const credentials = auth({
  stores: [memoryStore({ [server.host]: { kind: "bearer", token: "pick-and-mix-token" } })],
  allowInsecureHttp: true,
});
const client = createClient({ middleware: [credentials] });
try {
  const res = await client.request(`${server.origin}/private`);
  check(res.status === 200, `status ${res.status}`);
  await res.discard();
  const sent = server.requests[0]?.headers.authorization;
  check(sent === "Bearer pick-and-mix-token", `authorization header ${sent}`);
} finally {
  await client.close();
  await server.close();
}
console.log("auth: the stored bearer token was sent");
