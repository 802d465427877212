import { buildContenders, type Contender } from "./contenders.ts";
import { measure, median, type Round } from "./measure.ts";
import { startOrigin } from "./origin.ts";

/** Options of {@link runThroughput}. */
export interface ThroughputOptions {
  readonly rounds: number;
  readonly requestsPerRound: number;
  readonly connections: number;
  /** Only these contenders (by name; the limit is always kept). */
  readonly only?: readonly string[] | undefined;
}

/** Per contender: medians over rounds, and the ratio to bare undici from the same rounds. */
export interface ThroughputResult {
  readonly name: string;
  readonly kind: Contender["kind"];
  readonly requestsPerSecond: number;
  /** Client CPU (user + system) per request, microseconds. */
  readonly cpuMicros: number;
  /** Median over rounds of (this contender's req/s / bare undici's req/s in that round). */
  readonly ratio: number;
  /** Median over rounds of (bare undici's CPU per request / this contender's). */
  readonly cpuRatio: number;
  /** Every round, for the record. */
  readonly rounds: readonly Round[];
}

/**
 * Measures every contender against one origin that runs in a separate process (its CPU is not the
 * client's). Rounds are interleaved (each round runs every contender once, in a rotated order) so
 * that a noisy neighbour hurts all contenders alike; ratios are taken within a round.
 */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult[]> {
  const origin = await startOrigin();
  const all = buildContenders(origin.url, options.connections);
  const contenders = all.filter(
    (c, i) => i === 0 || options.only === undefined || options.only.includes(c.name),
  );
  const rounds = new Map<string, Round[]>(contenders.map((c) => [c.name, []]));
  try {
    // Warm-up: JIT, connection pools.
    for (const c of contenders)
      await measure(c.call, Math.min(2000, options.requestsPerRound), options.connections);
    for (let r = 0; r < options.rounds; r++) {
      // The limit runs first in every round, the others in a rotated order.
      const rest = contenders.slice(1);
      const shift = r % Math.max(1, rest.length);
      const order = [contenders[0]!, ...rest.slice(shift), ...rest.slice(0, shift)];
      for (const c of order)
        rounds.get(c.name)!.push(await measure(c.call, options.requestsPerRound, options.connections));
    }
  } finally {
    for (const c of all) await c.close();
    await origin.close();
  }
  const bare = rounds.get(contenders[0]!.name)!;
  return contenders.map((c) => {
    const mine = rounds.get(c.name)!;
    return {
      name: c.name,
      kind: c.kind,
      requestsPerSecond: median(mine.map((m) => m.requestsPerSecond)),
      cpuMicros: median(mine.map((m) => m.cpuMicros)),
      ratio: median(mine.map((m, i) => m.requestsPerSecond / bare[i]!.requestsPerSecond)),
      cpuRatio: median(mine.map((m, i) => bare[i]!.cpuMicros / m.cpuMicros)),
      rounds: mine,
    };
  });
}
