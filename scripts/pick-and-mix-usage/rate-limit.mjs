// @switchyard/rate-limit with core: a 429 with a Retry-After beyond maxWait pauses the origin; the
// next request fails fast with the typed error and is never sent.
import { createClient } from "@switchyard/core";
import { isRateLimitExceededError, rateLimit } from "@switchyard/rate-limit";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res) => {
  res.writeHead(429, { "retry-after": "3600" });
  res.end("slow down");
});
const client = createClient({ middleware: [rateLimit({ maxWait: 1000 })] });
try {
  const first = await client.request(`${server.origin}/items`);
  check(first.status === 429, `status ${first.status}`);
  await first.discard();
  const second = await client.request(`${server.origin}/items`).then(
    () => undefined,
    (error) => error,
  );
  check(isRateLimitExceededError(second), `typed error, got ${second}`);
  check(second.code === "SWITCHYARD_ERR_RATE_LIMITED", `code ${second.code}`);
  check(server.requests.length === 1, `${server.requests.length} requests reached the server`);
} finally {
  await client.close();
  await server.close();
}
console.log("rate-limit: the second request failed fast with RateLimitExceededError");
