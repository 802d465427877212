import net from "node:net";

/** What the proxy does with a new connection. */
export type ProxyMode = "forward" | "reset";

/** A TCP proxy on 127.0.0.1 in front of a real server that can play dead (reset every connection). */
export interface SwitchableProxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  setMode(mode: ProxyMode): void;
  /** Connections accepted so far, in any mode. */
  accepted(): number;
  /** Connections open right now (client side). */
  open(): number;
  close(): Promise<void>;
}

/**
 * Starts a proxy to `127.0.0.1:targetPort`. In `reset` mode it accepts and resets each connection
 * (the mirror looks dead); in `forward` mode it pipes bytes both ways. Test helper: the testkit's
 * fault proxy was not available when these tests were written.
 */
export async function startSwitchableProxy(
  targetPort: number,
  mode: ProxyMode = "forward",
): Promise<SwitchableProxy> {
  let current = mode;
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    accepted++;
    if (current === "reset") {
      client.on("error", () => {});
      client.resetAndDestroy();
      return;
    }
    sockets.add(client);
    const upstream = net.connect(targetPort, "127.0.0.1");
    const done = (): void => {
      sockets.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", done).on("close", done);
    upstream.on("error", done).on("close", done);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setMode(next) {
      current = next;
    },
    accepted: () => accepted,
    open: () => sockets.size,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
