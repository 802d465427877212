import { connect } from "node:net";

/** Options of {@link waitForPort}. */
export interface WaitForPortOptions {
  /** Host to connect to. @default "127.0.0.1" */
  host?: string;
  /** Give up after this many milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Stops waiting early (for example when the peer process exited). */
  signal?: AbortSignal;
}

function tryConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once a TCP connection to `host:port` succeeds, polling with a short growing interval.
 * Rejects after `timeoutMs` or when `signal` aborts.
 */
export async function waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
  const host = options.host ?? "127.0.0.1";
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let interval = 5;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
    if (await tryConnect(host, port)) return;
    if (Date.now() >= deadline) break;
    await delay(interval);
    interval = Math.min(interval * 2, 100);
  }
  throw new Error(`nothing listens on ${host}:${port} after ${options.timeoutMs ?? 10_000} ms`);
}

/** Resolves once nothing accepts connections on `host:port` any more (bounded like {@link waitForPort}). */
export async function waitForPortClosed(port: number, options: WaitForPortOptions = {}): Promise<void> {
  const host = options.host ?? "127.0.0.1";
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    if (!(await tryConnect(host, port))) return;
    if (Date.now() >= deadline) break;
    await delay(20);
  }
  throw new Error(`${host}:${port} still accepts connections after ${options.timeoutMs ?? 10_000} ms`);
}

/** Tells whether a TCP connection to `127.0.0.1:port` succeeds right now. */
export function isPortOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return tryConnect(host, port);
}
