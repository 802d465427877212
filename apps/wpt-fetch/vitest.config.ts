import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@switchyard/wpt-fetch",
    include: ["src/**/*.test.ts"],
    // One run of the WPT subset, both implementations, is bounded by the runner at 80 s.
    testTimeout: 90_000,
  },
});
