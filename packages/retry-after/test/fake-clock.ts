/** A clock whose sleeps return at once and move time forward, recording each delay. */
export function fakeClock(start = Date.now()): {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly delays: number[];
} {
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
