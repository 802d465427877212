// @switchyard/mirror with core: a dead first mirror fails over to a live one inside one request.
import { createServer } from "node:net";
import { createClient } from "@switchyard/core";
import { mirror } from "@switchyard/mirror";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
// A port that refuses connections: bound, then closed again.
const dead = createServer();
await new Promise((resolve) => dead.listen(0, "127.0.0.1", resolve));
const deadPort = dead.address().port;
await new Promise((resolve) => dead.close(resolve));

const server = await serve((req, res) => res.end(`served ${req.url}`));
const mirrors = mirror({
  mirrors: {
    "https://origin.invalid/channel": [`http://127.0.0.1:${deadPort}/down`, `${server.origin}/up`],
  },
});
const client = createClient({ middleware: [mirrors] });
try {
  const res = await client.request("https://origin.invalid/channel/noarch/repodata.json");
  check(res.status === 200, `status ${res.status}`);
  const body = await res.text();
  check(body === "served /up/noarch/repodata.json", `body ${body}`);
} finally {
  await client.close();
  await server.close();
}
console.log("mirror: failed over from a dead mirror to a live one");
