/** A clock for backoff and Retry-After tests: sleeps return at once and move time forward. */
export interface FakeClock {
  /** The clock's time in epoch milliseconds. */
  now: () => number;
  /** Records `ms`, advances the clock by it and resolves at once; rejects when `signal` has aborted. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Every delay asked for, in order. */
  readonly delays: number[];
}

/**
 * A clock whose sleeps return at once and move time forward, recording each delay: backoff is
 * tested by the delays captured, never by sleeping.
 *
 * @example
 * const clock = fakeClock();
 * const client = createClient({ middleware: [retry({ now: clock.now, sleep: clock.sleep })] });
 */
export function fakeClock(start: number = Date.now()): FakeClock {
  let t = start;
  const delays: number[] = [];
  return {
    now: () => t,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      delays.push(ms);
      if (ms > 0) t += ms;
    },
    delays,
  };
}
