import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Inodes of sockets listening on 127.0.0.1:`port` (IPv4), from /proc/net/tcp. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const wanted = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // fields: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    if (fields[1] === wanted && fields[3] === "0A" && fields[9] !== undefined) inodes.add(fields[9]);
  }
  return inodes;
}

/**
 * Whether process `pid` itself holds a socket listening on 127.0.0.1:`port`. Proves that a peer which
 * answers on the port is ours and not another process that took the port first. `undefined` where
 * /proc cannot tell (not Linux, or not permitted).
 */
export function ownsListeningSocket(pid: number, port: number): boolean | undefined {
  try {
    const inodes = listeningInodes(port);
    if (inodes.size === 0) return false;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match?.[1] && inodes.has(match[1])) return true;
      } catch {
        // the descriptor closed while we looked
      }
    }
    return false;
  } catch {
    return undefined;
  }
}
