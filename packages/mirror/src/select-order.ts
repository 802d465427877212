/** How ties between mirrors with as many failures are broken. */
export type TieOrder = "list" | "shuffle";

/**
 * Where a mirror stands for the next request:
 * - `healthy`: fewer failures than its limit; tried in failure order.
 * - `probe`: over its limit, its cool-down has passed and no probe is in flight; one request may
 *   try it, first.
 * - `cooling`: over its limit and still cooling down (or already being probed); skipped.
 */
export type Availability = "healthy" | "probe" | "cooling";

/** What ordering needs to know about one mirror. */
export interface MirrorStanding {
  /** Failures after decay. */
  readonly failures: number;
  readonly availability: Availability;
}

/** The failure-count state that decays. */
export interface DecayState {
  readonly failures: number;
  /** When the count last changed by a failure or a decay step (epoch ms). */
  readonly anchor: number;
}

/**
 * Decay rule: every full `decayMs` without a new failure forgives one failure. The anchor moves by
 * whole steps only, so reading the state often or rarely gives the same answer. `decayMs` of
 * `Infinity` disables decay.
 */
export function decayFailures(state: DecayState, now: number, decayMs: number): DecayState {
  if (state.failures === 0 || !Number.isFinite(decayMs) || now <= state.anchor) return state;
  const steps = Math.floor((now - state.anchor) / decayMs);
  if (steps <= 0) return state;
  if (steps >= state.failures) return { failures: 0, anchor: state.anchor + state.failures * decayMs };
  return { failures: state.failures - steps, anchor: state.anchor + steps * decayMs };
}

/** Where a mirror stands, from its decayed failures, its limit and its cool-down. */
export function availabilityOf(input: {
  readonly failures: number;
  readonly maxFailures: number;
  readonly lastFailure: number | undefined;
  readonly probing: boolean;
  readonly now: number;
  readonly cooldownMs: number;
}): Availability {
  if (input.failures < input.maxFailures) return "healthy";
  if (input.probing) return "cooling";
  const since = input.lastFailure === undefined ? Number.POSITIVE_INFINITY : input.now - input.lastFailure;
  return since >= input.cooldownMs ? "probe" : "cooling";
}

/**
 * Shuffles `items` in place (Fisher-Yates) with `random` returning numbers in [0, 1). `random` is
 * the caller's option, so a draw out of range is clamped and NaN counts as 0: the result is always
 * a permutation, never a list with a mirror lost or repeated.
 */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const r = random();
    // `r >= 0` is false for NaN as well as for negative draws.
    const j = r >= 0 ? Math.min(i, Math.floor(r * (i + 1))) : 0;
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/**
 * The order in which to try mirrors, as indexes into `mirrors` (config order):
 * 1. at most one mirror due for a probe (the first in list order), so a recovered mirror is found;
 * 2. every healthy mirror, fewest failures first; ties keep list order, or are shuffled;
 * cooling mirrors are left out.
 */
export function orderMirrors(
  mirrors: readonly MirrorStanding[],
  ties: TieOrder,
  random: () => number,
): number[] {
  let probe: number | undefined;
  const healthy: number[] = [];
  mirrors.forEach((m, i) => {
    if (m.availability === "healthy") healthy.push(i);
    else if (m.availability === "probe" && probe === undefined) probe = i;
  });
  if (ties === "shuffle") shuffleInPlace(healthy, random);
  // Array.prototype.sort is stable: equal failure counts keep the (listed or shuffled) order.
  healthy.sort((a, b) => mirrors[a]!.failures - mirrors[b]!.failures);
  return probe === undefined ? healthy : [probe, ...healthy];
}
