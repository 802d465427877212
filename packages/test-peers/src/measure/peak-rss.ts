/** What {@link peakRssGrowth} reports about one run. */
export interface PeakRss<T> {
  /** What `run` resolved with. */
  readonly result: T;
  /** Peak resident set growth over the run, in MiB, from a baseline taken after a GC (if exposed). */
  readonly peakMiB: number;
  /** Wall time of the run, in milliseconds. */
  readonly ms: number;
}

/**
 * Runs `run` and reports its result, the peak RSS growth over it (sampled every 10 ms and once at
 * the end) and its wall time. Meant for a child process of its own, started with `--expose-gc`,
 * so that the servers in the parent are not measured.
 */
export async function peakRssGrowth<T>(run: () => Promise<T>): Promise<PeakRss<T>> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  try {
    const result = await run();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakMiB: (peak - base) / 1024 / 1024, ms: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}
