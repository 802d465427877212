// @switchyard/breaker with core: a server answering 503 trips the circuit after the minimum
// volume; the next request fails fast with the typed error and never reaches the server.
import { breaker, isCircuitOpenError } from "@switchyard/breaker";
import { createClient } from "@switchyard/core";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const server = await serve((_req, res) => {
  res.statusCode = 503;
  res.end("down");
});
const client = createClient({ middleware: [breaker({ minimumRequests: 3 })] });
try {
  for (let i = 0; i < 3; i++) {
    const res = await client.request(`${server.origin}/items`);
    check(res.status === 503, `status ${res.status}`);
    await res.discard();
  }
  const error = await client.request(`${server.origin}/items`).then(
    () => undefined,
    (e) => e,
  );
  check(isCircuitOpenError(error), `typed error, got ${error}`);
  check(error.code === "SWITCHYARD_ERR_CIRCUIT_OPEN", `code ${error.code}`);
  check(server.requests.length === 3, `${server.requests.length} requests reached the server`);
} finally {
  await client.close();
  await server.close();
}
console.log("breaker: the fourth request failed fast with CircuitOpenError");
