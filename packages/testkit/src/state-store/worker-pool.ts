import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { WorkerTask } from "./worker-task.ts";

const WORKER = fileURLToPath(new URL("./state-store-worker.ts", import.meta.url));

/** Real Node processes, each holding its own handle onto one store, for the multi-process checks. */
export interface WorkerPool {
  /** How many processes are alive. */
  readonly size: number;
  /**
   * Gives `tasks[i]` to process `i`, releasing them all at the same moment (each has already
   * received its task and waits for "go"), and answers their results in order.
   */
  run(tasks: readonly WorkerTask[]): Promise<unknown[]>;
  /** Kills process `i` by its PID with SIGKILL (whatever it holds, it holds until its TTL). */
  kill(index: number): Promise<void>;
  /** Ends every process: a clean close of their stores, then SIGKILL for any that lingers. */
  close(): Promise<void>;
}

interface Member {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  next(): Promise<Record<string, unknown>>;
}

function member(child: ChildProcess): Member {
  const queue: Record<string, unknown>[] = [];
  const waiters: ((message: Record<string, unknown>) => void)[] = [];
  let gone: Error | undefined;
  const failers: ((error: Error) => void)[] = [];
  child.on("message", (message) => {
    const waiter = waiters.shift();
    failers.shift();
    if (waiter) waiter(message as Record<string, unknown>);
    else queue.push(message as Record<string, unknown>);
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      gone = new Error(`a worker process exited (${code ?? signal}) before answering`);
      for (const fail of failers.splice(0)) fail(gone);
      waiters.length = 0;
      resolve();
    }),
  );
  return {
    child,
    exited,
    next() {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      if (gone) return Promise.reject(gone);
      return new Promise((resolve, reject) => {
        waiters.push(resolve);
        failers.push(reject);
      });
    },
  };
}

async function answer(m: Member): Promise<unknown> {
  const message = await m.next();
  if (message.error !== undefined) throw new Error(`worker: ${String(message.error)}`);
  return message.result;
}

/**
 * Forks `count` Node processes (`node:child_process`), each opening a handle onto the store through
 * `worker.module`'s `openStateStore(spec)`. Every process is killed by its PID after `timeoutMs`
 * whatever happens, so a stuck store cannot hang the suite.
 */
export async function startWorkerPool(
  worker: { readonly module: string; readonly spec: unknown },
  count: number,
  timeoutMs = 60_000,
): Promise<WorkerPool> {
  const members: Member[] = [];
  const timer = setTimeout(() => {
    for (const m of members) m.child.kill("SIGKILL");
  }, timeoutMs);
  timer.unref();
  for (let i = 0; i < count; i++) {
    const child = fork(WORKER, [], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      execArgv: [
        ...process.execArgv.filter((a) => !a.startsWith("--inspect")),
        "--disable-warning=ExperimentalWarning",
      ],
    });
    members.push(member(child));
    child.send({ open: { module: worker.module, spec: worker.spec } });
  }
  const close = async (): Promise<void> => {
    clearTimeout(timer);
    for (const m of members) if (m.child.connected) m.child.send({ close: true });
    const deadline = setTimeout(() => {
      for (const m of members) m.child.kill("SIGKILL");
    }, 5000);
    await Promise.all(members.map((m) => m.exited));
    clearTimeout(deadline);
  };
  try {
    await Promise.all(members.map(answer));
  } catch (error) {
    for (const m of members) m.child.kill("SIGKILL");
    await close();
    throw error;
  }
  return {
    get size() {
      return members.filter((m) => m.child.exitCode === null && m.child.signalCode === null).length;
    },
    async run(tasks) {
      const used = members.slice(0, tasks.length);
      used.forEach((m, i) => {
        m.child.send({ task: tasks[i] });
      });
      await Promise.all(used.map(answer)); // each one is ready with its task
      for (const m of used) m.child.send({ go: true });
      return Promise.all(used.map(answer));
    },
    async kill(index) {
      const m = members[index];
      if (m === undefined) return;
      m.child.kill("SIGKILL");
      await m.exited;
    },
    close,
  };
}
