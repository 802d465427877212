import { once } from "node:events";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { type ConnectionHooks, type FaultConnection, ProxyConnection } from "./fault-connection.ts";
import { type FaultMode, validateFaultMode } from "./fault-mode.ts";

/** Options for {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where to forward: a loopback host and port, or the origin of a test server (`http://127.0.0.1:PORT`). */
  readonly target: { readonly host: string; readonly port: number } | string;
  /**
   * Mode for connections when the {@link FaultProxy.next} queue is empty.
   * @default "pass"
   */
  readonly mode?: FaultMode;
}

/** A running fault proxy; see {@link startFaultProxy}. */
export interface FaultProxy {
  /** `127.0.0.1`. */
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:PORT`, or `https://` when the target was given as an https origin. */
  readonly origin: string;
  /** The default mode for new connections. */
  readonly mode: FaultMode;
  /** Connections accepted since start. */
  readonly connections: number;
  /** Client-to-target bytes forwarded, all connections. */
  readonly bytesToTarget: number;
  /** Target-to-client bytes forwarded, all connections. */
  readonly bytesToClient: number;
  /**
   * Sets the default mode for new connections; with `live`, also switches every open connection now.
   * Throws on a malformed mode.
   */
  setMode(mode: FaultMode, options?: { readonly live?: boolean }): void;
  /** Queues modes for the next connections, one each in order, before the default applies again. */
  next(modes: readonly FaultMode[]): void;
  /** The connections open now. */
  openConnections(): readonly FaultConnection[];
  /** Resolves once `count` connections have been accepted in total; rejects after `timeoutMs`. */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  /** Stops listening and destroys every connection, both sides. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on `127.0.0.1:0` that forwards to `target` and injects faults per connection:
 * resets, closes, truncation after N response bytes, latency, throttling, blackholes. A user-space
 * stand-in for `tc netem`, which these machines lack.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ target: srv.origin });
 * proxy.next(["reset", "reset"]);                 // the first two connections are reset
 * const res = await client.request(`${proxy.origin}/file`); // a retrying client gets through on the third
 * proxy.setMode(closeAfter(1000), { live: true }); // truncate whatever is open after 1000 bytes
 * await proxy.close();
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = parseTarget(options.target);
  let mode: FaultMode = options.mode ?? "pass";
  validateFaultMode(mode);
  const queue: FaultMode[] = [];
  const live = new Set<ProxyConnection>();
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  let accepted = 0;
  let toTarget = 0;
  let toClient = 0;

  const hooks: ConnectionHooks = {
    target,
    onBytes(direction, bytes) {
      if (direction === "toTarget") toTarget += bytes;
      else toClient += bytes;
    },
    onClosed(connection) {
      live.delete(connection);
    },
  };

  // allowHalfOpen: a client that half-closes still gets its response, as through a real network.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    accepted++;
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    const connection = new ProxyConnection(accepted, client, queue.shift() ?? mode, hooks);
    if (!client.destroyed) live.add(connection);
    for (const wake of waiters) wake();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    host: "127.0.0.1",
    port,
    origin: `${target.scheme}://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    get connections() {
      return accepted;
    },
    get bytesToTarget() {
      return toTarget;
    },
    get bytesToClient() {
      return toClient;
    },
    setMode(next, setOptions) {
      validateFaultMode(next);
      mode = next;
      if (setOptions?.live) for (const connection of [...live]) connection.setMode(next);
    },
    next(modes) {
      for (const queued of modes) validateFaultMode(queued);
      queue.push(...modes);
    },
    openConnections() {
      return [...live].filter((connection) => connection.open);
    },
    waitForConnections(count, timeoutMs = 5_000) {
      if (accepted >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          if (accepted < count) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`waited ${timeoutMs} ms for ${count} connections, got ${accepted}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
      });
    },
    close() {
      if (!closing) {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        const closed = [...sockets].map(
          (socket) => new Promise<void>((resolve) => socket.once("close", () => resolve())),
        );
        for (const connection of [...live]) connection.destroy();
        for (const socket of sockets) socket.destroy();
        closing = Promise.all([stopped, ...closed]).then(() => {});
      }
      return closing;
    },
  };
}

function parseTarget(target: FaultProxyOptions["target"]): { host: string; port: number; scheme: string } {
  if (typeof target === "string") {
    const url = new URL(target);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    return checkLoopback({ host, port, scheme: url.protocol.slice(0, -1) });
  }
  return checkLoopback({ host: target.host, port: target.port, scheme: "http" });
}

function checkLoopback<T extends { host: string; port: number }>(target: T): T {
  const loopback =
    target.host === "localhost" || target.host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(target.host);
  if (!loopback)
    throw new RangeError(`the fault proxy only forwards to loopback addresses, got ${target.host}`);
  if (!Number.isInteger(target.port) || target.port <= 0 || target.port > 65_535) {
    throw new RangeError(`bad target port ${target.port}`);
  }
  return target;
}
