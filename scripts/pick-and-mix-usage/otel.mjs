// @switchyard/otel with core and @opentelemetry/api alone (no SDK): a call goes through, the plugin
// listens to core's channels while it lives and stops when closed.
import diagnosticsChannel from "node:diagnostics_channel";
import { createClient } from "@switchyard/core";
import { otel } from "@switchyard/otel";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res) => res.end("ok"));
const plugin = otel();
const client = createClient({ middleware: [plugin] });
try {
  check(diagnosticsChannel.channel("switchyard:core:request").hasSubscribers, "subscribed while alive");
  const res = await client.request(`${server.origin}/x`);
  check((await res.text()) === "ok", "the call went through");
} finally {
  await client.close();
  plugin.close();
  await server.close();
}
check(!diagnosticsChannel.channel("switchyard:core:request").hasSubscribers, "unsubscribed after close()");
console.log("otel: a call through the plugin with the API's no-op providers, subscribed only while alive");
