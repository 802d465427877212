// @switchyard/retry-after with core: after a 429 with a Retry-After beyond maxWait, the next
// request to that origin fails at once with the typed error and is never sent.
import { createClient } from "@switchyard/core";
import { isRetryAfterTooLongError, retryAfter } from "@switchyard/retry-after";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res) => {
  res.writeHead(429, { "retry-after": "3600" });
  res.end("slow down");
});
const client = createClient({ middleware: [retryAfter({ maxWait: 1000 })] });
try {
  const first = await client.request(`${server.origin}/items`);
  check(first.status === 429, `status ${first.status}`);
  await first.discard();
  const second = await client.request(`${server.origin}/items`).then(
    () => undefined,
    (error) => error,
  );
  check(isRetryAfterTooLongError(second), `typed error, got ${second}`);
  check(second.code === "SWITCHYARD_ERR_RETRY_AFTER_TOO_LONG", `code ${second.code}`);
  check(server.requests.length === 1, `${server.requests.length} requests reached the server`);
} finally {
  await client.close();
  await server.close();
}
console.log("retry-after: the second request failed fast with RetryAfterTooLongError");
