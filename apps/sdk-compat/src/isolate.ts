import { Worker } from "node:worker_threads";
import type { ScenarioInput } from "./scenario-worker.ts";

const WORKER = new URL("./scenario-worker.ts", import.meta.url);

/**
 * Runs an SDK scenario in a worker thread and resolves with what it returned. An uncaught exception
 * in the worker (the kind that kills a real application's process) rejects with a message saying
 * so, instead of taking the test runner down with it.
 */
export function runIsolated<T>(input: ScenarioInput, timeoutMs = 20_000): Promise<T> {
  const worker = new Worker(WORKER, { workerData: input });
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`scenario ${input.scenario} did not finish in ${timeoutMs} ms`));
      void worker.terminate();
    }, timeoutMs);
    worker.once("message", (m: { ok: true; value: T } | { ok: false; error: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (m.ok) resolve(m.value);
      else reject(new Error(m.error));
    });
    worker.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`the process would have crashed: uncaught ${err.name}: ${err.message}`));
    });
  });
}
