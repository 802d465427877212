import { defineConfig } from "vitest/config";

// One project per package: each runs in its own worker pool with its own name in reports.
// `npm test` (scripts/test.mjs) adds the JSON reporter it counts results from.
export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "apps/*",
      // The bootstrap's own helpers (version choice, result counting).
      { test: { name: "scripts", include: ["scripts/**/*.test.mjs"] } },
    ],
  },
});
