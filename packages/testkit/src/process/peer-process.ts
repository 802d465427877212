import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createInterface } from "node:readline";
import { trackPid, untrackPid } from "./exit-cleanup.ts";

/** How a peer process ended. */
export interface PeerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Options of {@link spawnPeer}. */
export interface SpawnPeerOptions {
  /** Short name used in errors, e.g. `"nginx"`. */
  name: string;
  /** Absolute path of the executable. */
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Environment of the child. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Output lines kept in memory (oldest dropped first). @default 5000 */
  maxLines?: number;
}

/** A running peer child process, stopped by its own PID. */
export interface PeerProcess {
  /** PID of the peer itself (not of a shell around it). */
  readonly pid: number;
  readonly name: string;
  /** Output lines so far, stdout and stderr interleaved in arrival order. */
  readonly lines: readonly string[];
  /** Settles when the process has exited and been reaped. */
  readonly exited: Promise<PeerExit>;
  /** Whether the process has not exited yet. */
  isRunning(): boolean;
  /** Calls `listener` for each new output line; returns an unsubscribe function. */
  onLine(listener: (line: string) => void): () => void;
  /** Resolves with the first line (already seen or future) matching `pattern`; rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` (default SIGTERM) to the PID, then SIGKILL after `timeoutMs` (default 5000). Idempotent. */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<PeerExit>;
}

const SETPRIV = "/usr/bin/setpriv";

function hasSetpriv(): boolean {
  try {
    accessSync(SETPRIV, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const useSetpriv = process.platform === "linux" && hasSetpriv();

/**
 * Spawns a peer without a shell. On Linux the child is exec'ed through `setpriv --pdeathsig SIGKILL`
 * (same PID), so the kernel kills it even if this process dies by SIGKILL; exit handlers cover the
 * ordinary exit paths.
 */
export function spawnPeer(options: SpawnPeerOptions): PeerProcess {
  const command = useSetpriv ? SETPRIV : options.command;
  const args = useSetpriv ? ["--pdeathsig", "SIGKILL", "--", options.command, ...options.args] : options.args;
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) {
    // spawn failed synchronously (ENOENT is reported through 'error' but pid is then undefined)
    child.on("error", () => {});
    throw new Error(`could not spawn ${options.name} (${options.command})`);
  }
  trackPid(pid);
  const maxLines = options.maxLines ?? 5000;
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const push = (line: string): void => {
    lines.push(line);
    if (lines.length > maxLines) lines.shift();
    for (const listener of listeners) listener(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", push);
  }
  let running = true;
  const exited = new Promise<PeerExit>((resolve) => {
    child.once("exit", (code, signal) => {
      running = false;
      untrackPid(pid);
      resolve({ code, signal });
    });
    // Errors after a successful spawn (e.g. a failed kill) need no handling: 'exit' still reports the end.
    child.on("error", () => {});
  });

  const peer: PeerProcess = {
    pid,
    name: options.name,
    lines,
    exited,
    isRunning: () => running,
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    waitForLine(pattern, timeoutMs = 5000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`${options.name} printed no line matching ${pattern} within ${timeoutMs} ms`));
        }, timeoutMs);
        const off = peer.onLine((line) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          off();
          resolve(line);
        });
      });
    },
    async stop(stopOptions = {}) {
      if (!running) return exited;
      try {
        process.kill(pid, stopOptions.signal ?? "SIGTERM");
      } catch {
        // exited in between
      }
      const timer = setTimeout(() => {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // exited in between
        }
      }, stopOptions.timeoutMs ?? 5000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return peer;
}
