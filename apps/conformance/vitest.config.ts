import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "@switchyard/conformance", include: ["src/**/*.test.ts"], testTimeout: 120_000 },
});
