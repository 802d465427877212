import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@switchyard/redis-store",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
