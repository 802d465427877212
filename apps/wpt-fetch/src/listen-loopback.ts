// Preloaded (`node --import`) into the process that runs undici's WPT server, which calls
// `server.listen(0)` and so would listen on every interface. Tests here listen on loopback only: a
// listen call given a port and no host gets 127.0.0.1.
import { Server } from "node:net";

const listen = Server.prototype.listen;
Server.prototype.listen = function listenOnLoopback(this: Server, ...args: unknown[]): Server {
  if (typeof args[0] === "number" && typeof args[1] !== "string") args.splice(1, 0, "127.0.0.1");
  return (listen as (...a: unknown[]) => Server).apply(this, args);
} as typeof listen;
