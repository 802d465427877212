// @switchyard/ssrf with core: a literal metadata address is refused without a connection, a name
// resolving to a private address is refused at connect time, an allow-listed loopback server works.
import { createClient } from "@switchyard/core";
import { isSsrfError, ssrf } from "@switchyard/ssrf";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res) => res.end("ok"));
const port = new URL(server.origin).port;
const guard = ssrf({
  allow: ["127.0.0.1"],
  resolve: (hostname, _options, callback) =>
    callback(null, [{ address: hostname === "inside.test" ? "10.1.2.3" : "127.0.0.1", family: 4 }]),
});
const client = createClient({ middleware: [guard], lookup: guard.lookup });
try {
  const literal = await client.request("http://169.254.169.254/latest/meta-data/").then(
    () => undefined,
    (error) => error,
  );
  check(isSsrfError(literal) && literal.code === "SWITCHYARD_ERR_SSRF", `literal: ${literal}`);
  const named = await client.request(`http://inside.test:${port}/`).then(
    () => undefined,
    (error) => error,
  );
  check(isSsrfError(named) && named.address === "10.1.2.3", `named: ${named}`);
  const ok = await client.request(`http://allowed.test:${port}/`);
  check((await ok.text()) === "ok", "the allow-listed server answered");
  check(server.requests.length === 1, `${server.requests.length} requests reached the server`);
} finally {
  await client.close();
  await server.close();
}
console.log("ssrf: refused a metadata literal and a private name, allowed the allow-listed loopback");
