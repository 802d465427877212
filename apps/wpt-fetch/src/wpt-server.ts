import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";

/** undici's WPT server (Node's http module serving the vendored files and the WPT handlers). */
export interface WptServer {
  /** `http://localhost:PORT`, the address the test pages live at. */
  readonly url: string;
  /** Why the server is gone, if it exited before {@link WptServer.stop}; its last stderr included. */
  died(): string | undefined;
  stop(): Promise<void>;
}

const PRELOAD = new URL("./listen-loopback.ts", import.meta.url).pathname;

/** Starts `test/wpt/server/server.mjs` of the checkout as a child process, on 127.0.0.1 only. */
export async function startWptServer(checkout: string, timeoutMs = 15_000): Promise<WptServer> {
  const child: ChildProcess = fork(join(checkout, "test/wpt/server/server.mjs"), [], {
    cwd: checkout,
    execArgv: ["--import", PRELOAD],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let timer: NodeJS.Timeout | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    const fail = (why: string) => {
      child.kill("SIGKILL");
      reject(new Error(`undici's WPT server did not start: ${why}\n${stderr}`));
    };
    timer = setTimeout(() => fail(`no address after ${timeoutMs} ms`), timeoutMs);
    child.once("exit", (code) => fail(`exited with ${code}`));
    child.on("message", (message: { server?: string }) => {
      if (typeof message?.server === "string") resolve(message.server);
    });
  }).finally(() => clearTimeout(timer));
  child.removeAllListeners("exit");
  let died: string | undefined;
  let stopping = false;
  child.once("exit", (code, sig) => {
    if (!stopping) died = `undici's WPT server exited during the run (${code ?? sig})\n${stderr}`;
  });
  // If this process ends first (an interrupted run), the server must not outlive it.
  const orphanGuard = () => child.kill("SIGKILL");
  process.once("exit", orphanGuard);
  return {
    url,
    died: () => died,
    async stop() {
      stopping = true;
      process.off("exit", orphanGuard);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      if (child.connected) child.send("shutdown");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
