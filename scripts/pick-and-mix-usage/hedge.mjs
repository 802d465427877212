// @switchyard/hedge with core: the first attempt hangs, the hedge sent after the fixed delay is
// answered at once and wins; the slow attempt is aborted.
import { createClient } from "@switchyard/core";
import { hedge } from "@switchyard/hedge";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res, n) => {
  if (n === 1) setTimeout(() => res.end("slow"), 10_000).unref();
  else res.end("fast");
});
const hedging = hedge({ delay: 50, maxExtraLoad: 1 });
const client = createClient({ middleware: [hedging] });
try {
  const res = await client.request(`${server.origin}/items`);
  const body = await res.text();
  check(body === "fast", `the hedge should win, got ${body}`);
  check(server.requests.length === 2, `${server.requests.length} requests reached the server`);
  check(hedging.snapshot()[0]?.hedgeWins === 1, "one hedge win in the snapshot");
} finally {
  await client.close();
  await server.close();
}
console.log("hedge: the hedged attempt answered first and won");
