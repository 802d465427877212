import { redisStore } from "@switchyard/redis-store";
import { peerAvailable, startRedis } from "@switchyard/test-peers";
import { type BodyRead, buildContenders, type Contender } from "./contenders.ts";
import { measure, median, type Round } from "./measure.ts";
import { startOrigin } from "./origin.ts";

/** Paired slices per round for Switchyard and reference contenders (peers get one). */
const PAIRS_NEAR_THE_LIMIT = 3;

/** Options of {@link runThroughput}. */
export interface ThroughputOptions {
  readonly rounds: number;
  readonly requestsPerRound: number;
  readonly connections: number;
  /** Bytes in each response body. */
  readonly bodySize: number;
  /** How bodies are read (see {@link BodyRead}). */
  readonly read: BodyRead;
  /** Only these contenders (by name; the limit is always kept). */
  readonly only?: readonly string[] | undefined;
}

/** Per contender: medians over rounds, and the ratio to bare undici from the same rounds. */
export interface ThroughputResult {
  readonly name: string;
  readonly kind: Contender["kind"];
  /** Bytes in each response body. */
  readonly bodySize: number;
  /** How bodies were read; absent in reports from before it was measured both ways (stream). */
  readonly read?: BodyRead;
  readonly requestsPerSecond: number;
  /** Client CPU (user + system) per request, microseconds. */
  readonly cpuMicros: number;
  /** Median over pairs of (this contender's req/s / bare undici's req/s in the slice next to it). */
  readonly ratio: number;
  /** Median over pairs of (bare undici's CPU per request / this contender's). */
  readonly cpuRatio: number;
  /** Every slice, for the record (bare undici: all its slices, one next to each other slice). */
  readonly rounds: readonly Round[];
}

/**
 * Measures every contender against one origin that runs in a separate process (its CPU is not the
 * client's). Each round runs every contender in a rotated order, and each contender's slice is
 * paired with a slice of bare undici run right next to it (before or after, alternately): its ratio
 * is taken against that adjacent slice, so that load from other processes, which comes and goes
 * within seconds on a shared machine, hits both sides of a ratio alike. Switchyard and reference
 * contenders get several pairs per round. Figures are medians over all pairs.
 */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult[]> {
  const origin = await startOrigin();
  // The Redis-store contender: a real redis-server on loopback, started here and stopped by PID.
  const redis = peerAvailable("redis") ? await startRedis() : undefined;
  const stateStore = redis === undefined ? undefined : redisStore({ url: redis.url });
  const all = buildContenders(
    `${origin.url}bytes/${options.bodySize}`,
    options.connections,
    stateStore,
    options.read,
  );
  const contenders = all.filter(
    (c, i) => i === 0 || options.only === undefined || options.only.includes(c.name),
  );
  const rounds = new Map<string, Round[]>(contenders.map((c) => [c.name, []]));
  // For each contender, the bare slice measured right before each of its slices.
  const pairs = new Map<string, Round[]>(contenders.map((c) => [c.name, []]));
  const limit = contenders[0]!;
  try {
    // Warm-up: JIT, connection pools.
    for (const c of contenders)
      await measure(c.call, Math.min(2000, options.requestsPerRound), options.connections);
    for (let r = 0; r < options.rounds; r++) {
      const rest = contenders.slice(1);
      const shift = r % Math.max(1, rest.length);
      for (const c of [...rest.slice(shift), ...rest.slice(0, shift)]) {
        // Unmeasured: reopens any socket a client let go while the others ran (global fetch, ky
        // and ofetch use Node's global dispatcher, whose idle sockets close after 4 s).
        await measure(limit.call, options.connections * 2, options.connections);
        await measure(c.call, options.connections * 2, options.connections);
        // Peers are 2-9x slower than the limit, their slices long and their margins wide: one pair
        // each. The contenders whose targets sit within a few hundredths of the limit get more
        // pairs, alternately limit-first and contender-first so the order favours neither.
        const count = c.kind === "peer" ? 1 : PAIRS_NEAR_THE_LIMIT;
        for (let i = 0; i < count; i++) {
          const limitFirst = (r + i) % 2 === 0;
          const first = await measure(
            limitFirst ? limit.call : c.call,
            options.requestsPerRound,
            options.connections,
          );
          const second = await measure(
            limitFirst ? c.call : limit.call,
            options.requestsPerRound,
            options.connections,
          );
          const [bare, mine] = limitFirst ? [first, second] : [second, first];
          rounds.get(limit.name)!.push(bare);
          pairs.get(c.name)!.push(bare);
          rounds.get(c.name)!.push(mine);
        }
      }
      if (rest.length === 0)
        rounds
          .get(limit.name)!
          .push(await measure(limit.call, options.requestsPerRound, options.connections));
    }
  } finally {
    for (const c of all) await c.close();
    await stateStore?.close();
    await redis?.stop();
    await origin.close();
  }
  return contenders.map((c) => {
    const mine = rounds.get(c.name)!;
    const bare = c === limit ? mine : pairs.get(c.name)!;
    return {
      name: c.name,
      kind: c.kind,
      bodySize: options.bodySize,
      read: options.read,
      requestsPerSecond: median(mine.map((m) => m.requestsPerSecond)),
      cpuMicros: median(mine.map((m) => m.cpuMicros)),
      ratio: median(mine.map((m, i) => m.requestsPerSecond / bare[i]!.requestsPerSecond)),
      cpuRatio: median(mine.map((m, i) => bare[i]!.cpuMicros / m.cpuMicros)),
      rounds: mine,
    };
  });
}
