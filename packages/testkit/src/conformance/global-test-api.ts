import type { ConformanceTestApi } from "./describe-conformance.ts";

/** The test framework's global `describe` and `it` (vitest with `globals: true`, jest), if any. */
export function globalTestApi(): ConformanceTestApi | undefined {
  const g = globalThis as { describe?: unknown; it?: unknown };
  if (typeof g.describe !== "function" || typeof g.it !== "function") return undefined;
  if (typeof (g.it as { skip?: unknown }).skip !== "function") return undefined;
  return { describe: g.describe, it: g.it } as ConformanceTestApi;
}
