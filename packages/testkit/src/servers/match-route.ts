import type { ResponseStep } from "./response-step.ts";

/**
 * The step source of the route for `path`: an exact match first, else the longest `prefix*` pattern
 * that `path` starts with.
 */
export function matchRoute(
  routes: Map<string, () => ResponseStep>,
  path: string,
): (() => ResponseStep) | undefined {
  const exact = routes.get(path);
  if (exact) return exact;
  let best: (() => ResponseStep) | undefined;
  let bestLength = -1;
  for (const [pattern, next] of routes) {
    if (!pattern.endsWith("*")) continue;
    const prefix = pattern.slice(0, -1);
    if (path.startsWith(prefix) && prefix.length > bestLength) {
      best = next;
      bestLength = prefix.length;
    }
  }
  return best;
}
