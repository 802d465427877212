// @switchyard/otel with core and @opentelemetry/api alone (no SDK): a call goes through; the plugin
// listens to core's channels only once a call it traces is in flight (an idle otel() costs other
// clients nothing), and stops when closed.
import diagnosticsChannel from "node:diagnostics_channel";
import { createClient } from "@switchyard/core";
import { otel } from "@switchyard/otel";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res) => res.end("ok"));
const plugin = otel();
const client = createClient({ middleware: [plugin] });
try {
  const channel = diagnosticsChannel.channel("switchyard:core:request");
  check(!channel.hasSubscribers, "not subscribed while idle");
  const res = await client.request(`${server.origin}/x`);
  check(channel.hasSubscribers, "subscribed once a call is traced");
  check((await res.text()) === "ok", "the call went through");
} finally {
  await client.close();
  plugin.close();
  await server.close();
}
check(!diagnosticsChannel.channel("switchyard:core:request").hasSubscribers, "unsubscribed after close()");
console.log(
  "otel: a call through the plugin with the API's no-op providers, subscribed only while it traces calls",
);
