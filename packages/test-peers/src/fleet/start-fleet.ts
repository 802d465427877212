// Real worker processes for the multi-process tests: forks `count` copies of a worker script, each
// answering one message per message it receives, and kills them by PID whatever happens.
import { type ChildProcess, fork } from "node:child_process";

/** A running set of worker processes. */
export interface Fleet {
  /** Sends `message` to every process at once and answers their replies in order. */
  all(message: unknown): Promise<Record<string, unknown>[]>;
  /** Sends `message` to the `index`-th process and answers its reply. */
  ask(index: number, message: unknown): Promise<Record<string, unknown>>;
  /** Asks them to close cleanly (bounded), then kills any that remain. */
  close(): Promise<void>;
}

/** Forks `count` copies of `script` (with `args`), each answering one reply per message. */
export async function startFleet(script: string, args: readonly string[], count: number): Promise<Fleet> {
  const children: ChildProcess[] = [];
  const replies = new Map<ChildProcess, Array<(m: Record<string, unknown>) => void>>();
  const killAll = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  };
  // Whatever happens, no worker outlives 60 s.
  const guard = setTimeout(killAll, 60_000);
  guard.unref();
  try {
    await Promise.all(
      Array.from({ length: count }, () => {
        const child = fork(script, [...args], {
          stdio: ["ignore", "inherit", "inherit", "ipc"],
          execArgv: ["--disable-warning=ExperimentalWarning"],
        });
        children.push(child);
        const queue: Array<(m: Record<string, unknown>) => void> = [];
        replies.set(child, queue);
        return new Promise<void>((resolve, reject) => {
          // A worker says `{ ready: true }` once it can take messages (after its store is ready).
          child.once("message", (m) => {
            if ((m as { ready?: unknown } | null)?.ready !== true) {
              reject(new Error(`a worker's first message was not { ready: true }: ${JSON.stringify(m)}`));
              return;
            }
            child.on("message", (m) => queue.shift()?.(m as Record<string, unknown>));
            resolve();
          });
          child.once("exit", (code) => reject(new Error(`a worker exited (${code}) before it was ready`)));
        });
      }),
    );
  } catch (error) {
    killAll();
    throw error;
  }
  const ask = (child: ChildProcess, message: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      replies.get(child)?.push(resolve);
      child.send(message as never);
    });
  return {
    all: (message) => Promise.all(children.map((child) => ask(child, message))),
    ask: (index, message) => ask(children[index] as ChildProcess, message),
    async close() {
      clearTimeout(guard);
      const exits = children.map((child) =>
        child.exitCode !== null || child.signalCode !== null
          ? Promise.resolve()
          : new Promise<void>((resolve) => child.once("exit", () => resolve())),
      );
      for (const child of children) if (child.connected) child.send({ close: true });
      const timer = setTimeout(killAll, 5000);
      await Promise.all(exits);
      clearTimeout(timer);
    },
  };
}
