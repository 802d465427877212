// Any other published middleware package (no usage script of its own): its factory, named after
// the package, called with no options, in a client with core; one request through it.
import { createClient } from "@switchyard/core";
import { check, serve, watchdog } from "./serve.mjs";

watchdog();
const [packageName, factoryName] = process.argv.slice(2);
const plugin = await import(packageName);
check(typeof plugin[factoryName] === "function", `${packageName} exports ${factoryName}()`);
const server = await serve((_req, res) => res.end("ok"));
const client = createClient({ middleware: [plugin[factoryName]()] });
try {
  const res = await client.request(`${server.origin}/x`);
  check(res.status === 200 && (await res.text()) === "ok", `status ${res.status}`);
} finally {
  await client.close();
  await server.close();
}
console.log(`${packageName}: ${factoryName}() passed a request through`);
