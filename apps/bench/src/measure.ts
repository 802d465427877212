/** One measured round of one contender. */
export interface Round {
  readonly requestsPerSecond: number;
  /** Client CPU (user + system) per request, microseconds. */
  readonly cpuMicros: number;
}

/** Runs `count` calls of `call` with `concurrency` in flight and measures rate and client CPU. */
export async function measure(call: () => Promise<void>, count: number, concurrency: number): Promise<Round> {
  let started = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) {
        started++;
        await call();
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  return { requestsPerSecond: count / seconds, cpuMicros: (cpu.user + cpu.system) / count };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
