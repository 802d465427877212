import net from "node:net";

/**
 * Refuses, and records, any TCP connection this process tries to open to a host other than
 * 127.0.0.1 / ::1 / localhost while installed: a safety net around third-party clients (the
 * official GCS client and google-auth-library) whose defaults name Google's hosts.
 */
export function installLoopbackGuard(): { attempts: string[]; uninstall: () => void } {
  const attempts: string[] = [];
  const original = net.Socket.prototype.connect;
  const patched = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    const host =
      typeof first === "object" && first !== null && !Array.isArray(first)
        ? (first as { host?: string; path?: string }).path !== undefined
          ? "127.0.0.1"
          : ((first as { host?: string }).host ?? "localhost")
        : typeof args[1] === "string"
          ? args[1]
          : "localhost";
    if (!["127.0.0.1", "::1", "localhost"].includes(host)) {
      attempts.push(host);
      process.nextTick(() => this.destroy(new Error(`loopback guard: refused a connection to ${host}`)));
      return this;
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  net.Socket.prototype.connect = patched as typeof original;
  return {
    attempts,
    uninstall() {
      net.Socket.prototype.connect = original;
    },
  };
}
