import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs `script` in a fresh Node process with `--expose-gc`, passing `input` as JSON in argv[2], and
 * resolves with the first IPC message it sends. Rejects on exit without a message or on timeout.
 */
export function runInChild<T>(script: URL, input: unknown, options: { timeoutMs: number }): Promise<T> {
  const child = fork(fileURLToPath(script), [JSON.stringify(input)], {
    execArgv: ["--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      child.kill("SIGKILL");
      reject(new Error(`${script.pathname} did not finish in ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.once("message", (message) => {
      settled = true;
      clearTimeout(timer);
      resolve(message as T);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (!settled) reject(new Error(`${script.pathname} exited with ${code ?? signal} before reporting`));
    });
  });
}
