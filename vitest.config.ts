import { defineConfig } from "vitest/config";

// One project per package: each runs in its own worker pool with its own name in reports.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: process.env.SWITCHYARD_REPORT ?? ".reports/vitest.json" },
  },
});
