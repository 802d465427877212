import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

/** The benchmark origin, running in a child process. */
export interface Origin {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Forks src/server.ts (answers every request with a 2-byte body) and waits for its port. */
export async function startOrigin(): Promise<Origin> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./server.ts", import.meta.url)), {
    stdio: "ignore",
    serialization: "json",
    // `node --cpu-prof src/profile.ts` profiles the client only: the origin must not slow down.
    execArgv: withoutProfiling(process.execArgv),
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the benchmark origin did not start in 10 s")), 10_000);
    child.once("message", (p) => {
      clearTimeout(timer);
      resolve(p as number);
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// Node's own flags minus --cpu-prof and its options (given as `--opt=value` or `--opt value`).
function withoutProfiling(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--cpu-prof")) out.push(arg);
    else if (arg !== "--cpu-prof" && !arg.includes("=")) i++;
  }
  return out;
}
