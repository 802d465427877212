import { rmSync } from "node:fs";

/** Process ids and directories to clean up if this process exits before their owners stopped them. */
const pids = new Set<number>();
const dirs = new Set<string>();
let installed = false;

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function cleanupNow(): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  pids.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
  dirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupNow();
  // Only re-raise when nobody else handles the signal, so that default behaviour (exit) still happens.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", cleanupNow);
  for (const signal of SIGNALS) process.once(signal, onSignal);
}

/** Kills `pid` with SIGKILL if this process exits while the peer is still tracked. */
export function trackPid(pid: number): void {
  install();
  pids.add(pid);
}

/** Stops tracking `pid` (the owner stopped it). */
export function untrackPid(pid: number): void {
  pids.delete(pid);
}

/** Removes `dir` recursively if this process exits while the directory is still tracked. */
export function trackDir(dir: string): void {
  install();
  dirs.add(dir);
}

/** Stops tracking `dir` (the owner removed it). */
export function untrackDir(dir: string): void {
  dirs.delete(dir);
}
