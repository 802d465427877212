import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "@switchyard/bench", include: ["src/**/*.test.ts"], passWithNoTests: true },
});
