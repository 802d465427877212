import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { WorkerTask } from "./worker-task.ts";

const WORKER = fileURLToPath(new URL("./state-store-worker.ts", import.meta.url));

/**
 * Forks one real Node process per task, each opening its own handle onto the store through
 * `worker.module`'s `openStateStore(spec)`; once all are ready they are told to go at the same
 * moment, and their results are answered in task order. Every child is killed by its PID if it
 * does not finish within `timeoutMs`.
 */
export async function runWorkers(
  worker: { readonly module: string; readonly spec: unknown },
  tasks: readonly WorkerTask[],
  timeoutMs = 20_000,
): Promise<unknown[]> {
  const children: ChildProcess[] = [];
  const timer = setTimeout(() => {
    for (const child of children) child.kill("SIGKILL");
  }, timeoutMs);
  try {
    const ready: Promise<void>[] = [];
    const results: Promise<unknown>[] = [];
    for (const task of tasks) {
      // Children run the TypeScript sources directly (type stripping) and stay quiet about it.
      const child = fork(WORKER, [], {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        execArgv: [
          ...process.execArgv.filter((a) => !a.startsWith("--inspect")),
          "--disable-warning=ExperimentalWarning",
        ],
      });
      children.push(child);
      const messages: unknown[] = [];
      const waiters: ((message: unknown) => void)[] = [];
      child.on("message", (message) => {
        const waiter = waiters.shift();
        if (waiter) waiter(message);
        else messages.push(message);
      });
      const exit = new Promise<never>((_, reject) =>
        child.once("exit", (code, signal) =>
          reject(new Error(`worker exited (${code ?? signal}) before reporting`)),
        ),
      );
      exit.catch(() => {});
      const nextMessage = (): Promise<Record<string, unknown>> =>
        Promise.race([
          new Promise<Record<string, unknown>>((resolve) => {
            const queued = messages.shift();
            if (queued !== undefined) resolve(queued as Record<string, unknown>);
            else waiters.push((message) => resolve(message as Record<string, unknown>));
          }),
          exit,
        ]);
      child.send({ module: worker.module, spec: worker.spec, task });
      const readyMessage = nextMessage();
      ready.push(
        readyMessage.then((message) => {
          if (message.error !== undefined)
            throw new Error(`worker failed to open the store: ${String(message.error)}`);
        }),
      );
      results.push(
        readyMessage.then(async () => {
          const message = await nextMessage();
          if (message.error !== undefined) throw new Error(`worker task failed: ${String(message.error)}`);
          return message.result;
        }),
      );
    }
    for (const pending of [...ready, ...results]) pending.catch(() => {});
    await Promise.all(ready);
    for (const child of children) child.send("go");
    return await Promise.all(results);
  } finally {
    clearTimeout(timer);
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}
