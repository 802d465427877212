import { readFileSync } from "node:fs";

/**
 * Tells whether a process with this PID is still alive. A zombie (exited, waiting to be reaped by
 * its parent or by init, which can take seconds in containers) counts as gone: it runs no code and
 * holds no sockets.
 */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return process.platform !== "linux";
  }
}
