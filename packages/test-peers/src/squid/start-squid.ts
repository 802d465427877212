import { chmod, chown, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PeerProcess } from "@switchyard/testkit/process";
import { createPeerTempDir, launchPeer, startOnFreePort } from "@switchyard/testkit/process";
import { peerBinary } from "../peer-availability.ts";
import { renderHtpasswd } from "../registry/htpasswd-file.ts";
import { renderSquidConfig } from "./squid-config.ts";

/** Options of {@link startSquid}. */
export interface SquidOptions {
  /** Require Basic proxy credentials (407 with `Proxy-Authenticate` without them or with wrong ones). */
  basicAuth?: { user: string; password: string };
  /** Give up waiting for the port after this many milliseconds. @default 15000 */
  readyTimeoutMs?: number;
}

/** One line of squid's access log (native format). */
export interface SquidAccessEntry {
  /** `TCP_MISS/200`, `TCP_DENIED/407`, `TCP_TUNNEL/200`... */
  result: string;
  method: string;
  /** The absolute URL, or `host:port` for CONNECT. */
  target: string;
  /** The authenticated user, `-` if none. */
  user: string;
}

/** A running squid. */
export interface SquidPeer {
  /** Proxy URL `http://127.0.0.1:PORT` (without credentials). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Temp dir holding config, logs and pid file; removed on stop. */
  readonly dir: string;
  readonly process: PeerProcess;
  /** The access log so far, oldest first (squid writes it unbuffered). */
  accessLog(): Promise<SquidAccessEntry[]>;
  /** Stops squid by its PID (it takes a second or two) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

// Debian's helper for Basic auth against an htpasswd file (bcrypt through libxcrypt).
const NCSA_HELPER = "/usr/lib/squid/basic_ncsa_auth";

// Run as root, squid drops to the `proxy` user: its temp dir must belong to that user.
async function handOverToProxyUser(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
  const entry = passwd.split("\n").find((line) => line.startsWith("proxy:"));
  const [, , uid, gid] = entry?.split(":") ?? [];
  if (uid === undefined || gid === undefined) {
    await chmod(dir, 0o777);
    return;
  }
  await chown(dir, Number(uid), Number(gid));
}

function parseAccessLog(text: string): SquidAccessEntry[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      // time elapsed client result/status bytes method URL user hierarchy type
      const fields = line.trim().split(/\s+/);
      return {
        result: fields[3] ?? "",
        method: fields[5] ?? "",
        target: fields[6] ?? "",
        user: fields[7] ?? "-",
      };
    });
}

/**
 * Starts Debian's squid in the foreground (`squid -N -f conf`) on 127.0.0.1, memory only. It takes
 * about a second to start and one or two to stop: start one per test file.
 *
 * @example
 * ```ts
 * const proxy = await startSquid({ basicAuth: { user: "u", password: "p" } });
 * const agent = new ProxyAgent({ uri: proxy.url, token: `Basic ${btoa("u:p")}` });
 * await request("http://127.0.0.1:8080/", { dispatcher: agent });
 * expect((await proxy.accessLog()).map((e) => e.target)).toContain("http://127.0.0.1:8080/");
 * await proxy.stop();
 * ```
 */
export async function startSquid(options: SquidOptions = {}): Promise<SquidPeer> {
  const binary = peerBinary("squid");
  const temp = await createPeerTempDir("squid");
  try {
    await handOverToProxyUser(temp.path);
    let passwordFile: string | undefined;
    if (options.basicAuth) {
      passwordFile = join(temp.path, "passwords");
      await writeFile(
        passwordFile,
        renderHtpasswd({ [options.basicAuth.user]: options.basicAuth.password }),
        {
          mode: 0o644,
        },
      );
    }
    const configPath = join(temp.path, "squid.conf");
    const { child, port } = await startOnFreePort(async (port) => {
      await writeFile(
        configPath,
        renderSquidConfig({
          port,
          dir: temp.path,
          ...(passwordFile === undefined ? {} : { authHelper: NCSA_HELPER, passwordFile }),
        }),
        { mode: 0o644 },
      );
      const child = await launchPeer({
        name: "squid",
        command: binary,
        args: ["-N", "-f", configPath],
        cwd: temp.path,
        port,
        readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
      });
      return { child, port };
    });
    let stopped: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      pid: child.pid,
      dir: temp.path,
      process: child,
      async accessLog() {
        return parseAccessLog(await readFile(join(temp.path, "access.log"), "utf8").catch(() => ""));
      },
      stop() {
        stopped ??= child.stop().then(() => temp.remove());
        return stopped;
      },
    };
  } catch (error) {
    await temp.remove();
    throw error;
  }
}
