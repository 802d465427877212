import { createServer } from "node:net";

/**
 * Finds a currently free TCP port on 127.0.0.1 by binding port 0 and releasing it.
 *
 * Another process may take the port before the caller binds it: callers retry on `EADDRINUSE`
 * (see {@link startOnFreePort}).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("could not read the bound port"))));
    });
  });
}
