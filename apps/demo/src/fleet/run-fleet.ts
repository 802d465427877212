import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { WorkerPlan } from "./worker-plan.ts";

const WORKER = fileURLToPath(new URL("./fleet-worker.ts", import.meta.url));

/** What one worker reported. */
export interface WorkerReport {
  readonly requests: number;
  readonly failed: number;
  readonly pulled: string;
}

/**
 * Forks `workers` processes with `plan`, waits until all of them are ready (so process start-up is
 * not counted), starts them together and answers their reports and the wall time of the workload.
 */
export async function runFleet(
  workers: number,
  plan: WorkerPlan,
): Promise<{ reports: WorkerReport[]; wallMs: number }> {
  const children = Array.from({ length: workers }, () =>
    fork(WORKER, [JSON.stringify(plan)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      execArgv: ["--disable-warning=ExperimentalWarning"],
    }),
  );
  const kill = (): void => {
    for (const child of children) child.kill("SIGKILL");
  };
  // Bounded: two minutes to start (a busy machine starts Node slowly), then the workload plus a minute.
  let killAll = setTimeout(kill, 120_000);
  try {
    const message = (child: (typeof children)[number]) =>
      new Promise<unknown>((resolve, reject) => {
        child.once("message", resolve);
        child.once("exit", (code) => reject(new Error(`a worker exited (${code}) early`)));
      });
    await Promise.all(children.map(message));
    clearTimeout(killAll);
    killAll = setTimeout(kill, plan.durationMs + 60_000);
    const started = performance.now();
    const done = children.map(message);
    for (const child of children) child.send("go");
    const reports = (await Promise.all(done)) as WorkerReport[];
    return { reports, wallMs: performance.now() - started };
  } finally {
    clearTimeout(killAll);
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  }
}

/** A fresh seal key for one demo run (every worker of the run gets the same one). */
export function demoSealKey(): string {
  return randomBytes(32).toString("base64");
}

/** The SQLite file of a run, in the demo's temp dir. */
export function sqlitePath(dir: string): string {
  return join(dir, "fleet-state.db");
}
