import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The demo's entry point, run by the tests as a user would. */
export const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** What a finished CLI run printed and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  readonly env?: Record<string, string>;
  /** Killed (SIGKILL) after this long. @default 90000 */
  readonly timeoutMs?: number;
  /** Runs under `script -q -c` (util-linux), so stdout and stderr are a pseudo-terminal. */
  readonly tty?: boolean;
  readonly cwd?: string;
}

function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Runs `node src/main.ts <args>` to completion. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  const started = performance.now();
  const argv = [process.execPath, MAIN, ...args];
  const [command, commandArgs] = options.tty
    ? ["script", ["-q", "-e", "-c", argv.map(shellQuote).join(" "), "/dev/null"]]
    : [argv[0]!, argv.slice(1)];
  const child = spawn(command, commandArgs, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}
