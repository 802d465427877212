// @switchyard/retry with core: a 503 then a 200 gives the 200 after one retry.
import { attemptKey, createClient } from "@switchyard/core";
import { retry } from "@switchyard/retry";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res, n) => {
  res.statusCode = n === 1 ? 503 : 200;
  res.end(n === 1 ? "busy" : "ok");
});
const client = createClient({ middleware: [retry({ minDelay: 1, maxDelay: 5 })] });
try {
  const res = await client.request(`${server.origin}/flaky`);
  check(res.status === 200, `status ${res.status}`);
  check((await res.text()) === "ok", "body");
  check(server.requests.length === 2, `${server.requests.length} requests reached the server`);
  check(res.context.get(attemptKey) === 2, `attemptKey ${res.context.get(attemptKey)}`);
} finally {
  await client.close();
  await server.close();
}
console.log("retry: a 503 was retried into a 200");
