/** Runs `run` and reports its result, the peak RSS growth over it (MiB, after a GC) and its wall time. */
export async function peakRssGrowth<T>(
  run: () => Promise<T>,
): Promise<{ result: T; peakMiB: number; ms: number }> {
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
