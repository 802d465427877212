import { readFileSync, writeFileSync } from "node:fs";

/** Peak-RSS tracking for one process: a reset of the kernel's high-water mark plus sampling. */
export interface RssWatch {
  /** RSS when the watch started, bytes. */
  readonly baseline: number;
  /** Stops sampling; returns the peak seen (the larger of the samples and VmHWM), bytes. */
  stop(): number;
}

function vmHwm(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function resetHwm(): boolean {
  try {
    // Linux >= 4.0: writing 5 resets the peak RSS (VmHWM) to the current RSS.
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** Starts watching: collects garbage (when exposed), takes the baseline, resets VmHWM, samples every 10 ms. */
export function watchRss(): RssWatch {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const baseline = process.memoryUsage.rss();
  const hwmReset = resetHwm();
  let peak = baseline;
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  }, 10);
  timer.unref();
  return {
    baseline,
    stop() {
      clearInterval(timer);
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
      const hwm = hwmReset ? vmHwm() : undefined;
      return hwm !== undefined && hwm > peak ? hwm : peak;
    },
  };
}
