import type { HttpRequest } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";
import type { ResolvedOptions, SelectCandidate } from "./mirror-options.ts";
import type { EntryStanding, Pool } from "./mirror-pool.ts";
import { snapshotOf } from "./mirror-pool.ts";
import { orderMirrors } from "./select-order.ts";

/**
 * The mirrors to try, as indexes into the pool's entries: the default order over the mirrors that
 * carry the path, or what the `select` hook returns (checked: distinct indexes in range).
 */
export function chooseOrder(
  request: HttpRequest,
  pool: Pool,
  standings: readonly EntryStanding[],
  carries: readonly boolean[],
  options: ResolvedOptions,
): readonly number[] {
  const eligible: number[] = [];
  for (let i = 0; i < standings.length; i++) if (carries[i]) eligible.push(i);
  const order = orderMirrors(
    eligible.map((i) => standings[i]!),
    options.shuffle ? "shuffle" : "list",
    options.random,
  ).map((j) => eligible[j]!);
  const select = options.select;
  if (select === undefined) return order;
  const mirrors: SelectCandidate[] = standings.map((s, i) =>
    Object.freeze({ ...snapshotOf(s), carries: carries[i]! }),
  );
  const chosen = select({ request, prefix: pool.prefix, mirrors: Object.freeze(mirrors), order });
  if (chosen === undefined) return order;
  if (!Array.isArray(chosen)) throw new InvalidOptionsError("mirror: select must return an array of indexes");
  const seen = new Set<number>();
  for (const i of chosen) {
    if (!Number.isInteger(i) || i < 0 || i >= standings.length || seen.has(i)) {
      throw new InvalidOptionsError(
        `mirror: select returned ${JSON.stringify(chosen)}; expected distinct indexes into the ${standings.length} mirrors`,
      );
    }
    seen.add(i);
  }
  return chosen;
}
