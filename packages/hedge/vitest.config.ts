import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@switchyard/hedge",
    include: ["src/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
