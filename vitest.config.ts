import { defineConfig } from "vitest/config";

// The bootstrap's own helpers (version choice, result counting, apt, publish checks).
const scripts = { test: { name: "scripts", include: ["scripts/**/*.test.mjs"] } };

// One project per package: each runs in its own worker pool with its own name in reports.
// `npm test` (scripts/test.mjs) adds the JSON reporter it counts results from.
// SWITCHYARD_TEST_SCOPE=packages keeps to the published libraries (and the scripts): CI's run on
// the Node floor, a promise the packages' `engines` make; the private apps run on the LTS.
const scope = process.env.SWITCHYARD_TEST_SCOPE;
if (scope !== undefined && scope !== "packages") {
  throw new Error(`SWITCHYARD_TEST_SCOPE=${scope}: expected "packages" or nothing`);
}

export default defineConfig({
  test: {
    projects: scope === "packages" ? ["packages/*", scripts] : ["packages/*", "apps/*", scripts],
  },
});
