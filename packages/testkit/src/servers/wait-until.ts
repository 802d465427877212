/**
 * Waiting helpers for the test server: every wait is bounded by a timeout and leaves no timer or
 * listener behind.
 */

/** Resolves when `ready()` holds, re-checked each time a waiter is woken; rejects after `timeoutMs`. */
export function waitUntil(
  ready: () => boolean,
  waiters: Set<() => void>,
  timeoutMs: number,
  message: () => string,
): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const wake = (): void => {
      if (!ready()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(message()));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      waiters.delete(wake);
    };
    waiters.add(wake);
  });
}

/** `promise`, or a rejection with `message()` after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message())), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
