import { setTimeout as delay } from "node:timers/promises";

/** Resource kinds whose count must come back to where it was: sockets and timers. */
const WATCHED = ["TCPSocketWrap", "Timeout"] as const;

function counts(): Record<(typeof WATCHED)[number], number> {
  const info = process.getActiveResourcesInfo();
  return {
    TCPSocketWrap: info.filter((r) => r === "TCPSocketWrap").length,
    Timeout: info.filter((r) => r === "Timeout").length,
  };
}

/** What a guarded run left behind. */
export interface GuardReport {
  /** Rejections nobody handled while the run was going on. */
  readonly unhandled: readonly unknown[];
  /** Sockets and timers alive after the run (and a settle period) above the count before it. */
  readonly leaked: Partial<Record<(typeof WATCHED)[number], number>>;
}

/**
 * Watches one scenario: records unhandled rejections from start to `finish()`, and compares the
 * process's open sockets and timers before and after (polling up to `settleMs` for sockets that
 * are closing). Call `finish()` after the client and any per-test server are closed.
 */
export function guard(): { finish(settleMs?: number): Promise<GuardReport> } {
  const unhandled: unknown[] = [];
  const onRejection = (reason: unknown) => {
    unhandled.push(reason);
  };
  process.on("unhandledRejection", onRejection);
  const before = counts();
  return {
    async finish(settleMs = 2000): Promise<GuardReport> {
      const deadline = Date.now() + settleMs;
      let after = counts();
      // Closing sockets and cleared timers disappear within a few turns of the event loop.
      while (
        (after.TCPSocketWrap > before.TCPSocketWrap || after.Timeout > before.Timeout) &&
        Date.now() < deadline
      ) {
        await delay(20);
        after = counts();
      }
      // One more turn so that rejections of promises dropped at the very end are reported.
      await delay(5);
      process.off("unhandledRejection", onRejection);
      const leaked: GuardReport["leaked"] = {};
      for (const kind of WATCHED) {
        if (after[kind] > before[kind]) leaked[kind] = after[kind] - before[kind];
      }
      return { unhandled, leaked };
    },
  };
}

/** Resolves with `promise`, or rejects when it has not settled within `ms` (a hang). */
export async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: ${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}
