// A plugin template (a private package with a publishConfig, like packages/example-request-id),
// installed from its tarball next to core's and testkit's only, as an outside author's copy would
// be: its factory (the exported function that returns a middleware when called with no options)
// passes a request through a client, then the conformance suite runs against it.
import { createClient } from "@switchyard/core";
import { runConformance } from "@switchyard/testkit/conformance";
import { check, serve, watchdog } from "./serve.mjs";

watchdog(60_000);
const [packageName] = process.argv.slice(2);
const plugin = await import(packageName);
const factories = Object.entries(plugin).filter(([, value]) => {
  if (typeof value !== "function") return false;
  try {
    const made = value();
    return typeof made?.handle === "function" && typeof made.stage === "string";
  } catch {
    return false; // a class, or a function that needs arguments
  }
});
check(factories.length > 0, `${packageName} exports a factory callable with no options`);
const [factoryName, factory] = factories[0];

const server = await serve((_req, res) => res.end("ok"));
const client = createClient({ middleware: [factory()] });
try {
  const res = await client.request(`${server.origin}/x`);
  check(res.status === 200 && (await res.text()) === "ok", `status ${res.status}`);
} finally {
  await client.close();
  await server.close();
}

const result = await runConformance(() => factory(), { bodySize: 64 * 2 ** 20, memoryLimit: 24 * 2 ** 20 });
const failures = result.failed.map(({ check: id, error }) => `${id}: ${error.message}`);
check(failures.length === 0, `conformance failures:\n${failures.join("\n")}`);
console.log(
  `${packageName}: ${factoryName}() installed from its tarball with core and testkit only; conformance ${result.passed.length} passed, ${result.skipped.length} skipped`,
);
