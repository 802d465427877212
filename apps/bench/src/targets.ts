import { type BodyRead, CONTENDERS, REDIS_CONTENDER } from "./contenders.ts";
import type { ThroughputResult } from "./throughput.ts";

/** One target of the design, checked against one run at one body size. */
export interface TargetCheck {
  readonly target: string;
  /** Bytes in each response body of the run the check reads. */
  readonly bodySize: number;
  /** How the run read bodies (absent: a stream, in reports from before both were measured). */
  readonly read?: BodyRead;
  /** The measured ratio (throughput, medians of per-round ratios). */
  readonly value: number;
  /** The same ratio on client CPU per request (less sensitive to a busy machine). */
  readonly cpuValue: number;
  readonly threshold: number;
  /** When set, the CPU ratio must also reach it (CPU per request at most 1 / cpuThreshold). */
  readonly cpuThreshold?: number;
  readonly met: boolean;
}

/** a against b, both through their ratios to bare undici (each taken against adjacent bare slices). */
function pairRatio(a: ThroughputResult, b: ThroughputResult): [number, number] {
  if (b.name === CONTENDERS[0]) return [a.ratio, a.cpuRatio];
  return [a.ratio / b.ratio, a.cpuRatio / b.cpuRatio];
}

/**
 * The throughput targets, at every body size measured: core >= 0.97x bare undici.request (the
 * floor; the aim is 1.0x), all seven plugins on pass-through (both configurations) >= 0.92x with
 * CPU per request <= 1.08x, `client.fetch` >= 1.5x Node's global fetch, and core >= 1.5x global
 * fetch, got, axios and ky.
 */
export function checkThroughputTargets(results: readonly ThroughputResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const runs = new Map<string, ThroughputResult[]>();
  for (const r of results) {
    const run = `${r.bodySize} ${r.read ?? "stream"}`;
    runs.set(run, [...(runs.get(run) ?? []), r]);
  }
  for (const group of runs.values()) {
    const { bodySize, read } = group[0]!;
    const byName = new Map(group.map((r) => [r.name, r]));
    const add = (target: string, a: string, b: string, threshold: number, cpuThreshold?: number) => {
      const x = byName.get(a);
      const y = byName.get(b);
      if (!x || !y) return;
      const [value, cpuValue] = pairRatio(x, y);
      const met = value >= threshold && (cpuThreshold === undefined || cpuValue >= cpuThreshold);
      checks.push({
        target,
        bodySize,
        ...(read === undefined ? {} : { read }),
        value,
        cpuValue,
        threshold,
        ...(cpuThreshold === undefined ? {} : { cpuThreshold }),
        met,
      });
    };
    const [bare, core, seven] = [CONTENDERS[0], CONTENDERS[1], CONTENDERS[2]];
    add(`${core} / ${bare}`, core, bare, 0.97);
    add(`${seven} / ${bare}`, seven, bare, 0.92, 1 / 1.08);
    add(`${CONTENDERS[12]} / ${bare}`, CONTENDERS[12], bare, 0.92, 1 / 1.08);
    // Issue 20: the same seven on a Redis state store, on pass-through requests.
    add(`${REDIS_CONTENDER} / ${bare}`, REDIS_CONTENDER, bare, 0.92, 1 / 1.08);
    add(`${CONTENDERS[4]} / ${CONTENDERS[6]}`, CONTENDERS[4], CONTENDERS[6], 1.5);
    for (const peer of [CONTENDERS[6], CONTENDERS[7], CONTENDERS[8], CONTENDERS[9]]) {
      add(`${core} / ${peer}`, core, peer, 1.5);
    }
  }
  return checks;
}
