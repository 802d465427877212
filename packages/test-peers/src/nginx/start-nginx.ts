import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { PeerProcess } from "@switchyard/testkit/process";
import { createPeerTempDir, launchPeer, startOnFreePort } from "@switchyard/testkit/process";
import { peerBinary } from "../peer-availability.ts";
import {
  type NginxFailingLocation,
  type NginxHeaderLocation,
  type NginxSlowLocation,
  renderNginxConfig,
} from "./nginx-config.ts";

/** Options of {@link startNginx}. */
export interface NginxOptions {
  /** Directory to serve. @default a fresh `www` directory inside the peer's temp dir */
  root?: string;
  /** Files to write into the served root before start: relative path -> content. */
  files?: Record<string, string | Uint8Array>;
  /** Locations that always fail (e.g. 503 with `Retry-After`). @default [] */
  failing?: readonly NginxFailingLocation[];
  /** Throttled prefixes serving the same root. @default [] */
  slow?: readonly NginxSlowLocation[];
  /** Locations that add response headers (Cache-Control...). @default [] */
  headers?: readonly NginxHeaderLocation[];
  /** Give up waiting for the port after this many milliseconds. @default 10000 */
  readyTimeoutMs?: number;
}

/** One line of the access log. */
export interface NginxAccessEntry {
  method: string;
  uri: string;
  status: number;
  bytes: number;
  /** The request's `Range` header, empty if none. */
  range: string;
}

/** A running nginx instance. */
export interface NginxPeer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** PID of the nginx process (single process mode: it is the server). */
  readonly pid: number;
  /** The served directory. */
  readonly root: string;
  /** The temp dir holding config, pid, logs and temp paths; removed on stop. */
  readonly dir: string;
  readonly process: PeerProcess;
  /** Requests served so far, oldest first, read from the access log. */
  accessLog(): Promise<NginxAccessEntry[]>;
  /** Stops nginx by its PID (SIGTERM, then SIGKILL) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's nginx in the foreground on 127.0.0.1, serving `root`.
 *
 * @example
 * ```ts
 * const mirror = await startNginx({ files: { "a.txt": "hello" }, failing: [{ location: "/down/", retryAfter: 2 }] });
 * const res = await request(`${mirror.url}/a.txt`, { headers: { range: "bytes=0-1" } }); // 206 "he"
 * await mirror.stop();
 * ```
 */
export async function startNginx(options: NginxOptions = {}): Promise<NginxPeer> {
  const binary = peerBinary("nginx");
  const temp = await createPeerTempDir("nginx");
  try {
    const root = options.root === undefined ? join(temp.path, "www") : resolve(options.root);
    await mkdir(root, { recursive: true });
    for (const [name, content] of Object.entries(options.files ?? {})) {
      const target = resolve(root, name);
      if (!target.startsWith(`${root}/`)) throw new TypeError(`file ${name} is outside the root`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    const configPath = join(temp.path, "nginx.conf");
    const { child, port } = await startOnFreePort(async (port) => {
      await writeFile(
        configPath,
        renderNginxConfig({
          dir: temp.path,
          port,
          root,
          failing: options.failing ?? [],
          slow: options.slow ?? [],
          headers: options.headers ?? [],
        }),
      );
      const child = await launchPeer({
        name: "nginx",
        command: binary,
        args: ["-p", `${temp.path}/`, "-c", configPath, "-e", "stderr"],
        cwd: temp.path,
        port,
        readyTimeoutMs: options.readyTimeoutMs,
      });
      return { child, port };
    });
    let stopped: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      pid: child.pid,
      root,
      dir: temp.path,
      process: child,
      async accessLog() {
        const text = await readFile(join(temp.path, "access.log"), "utf8").catch(() => "");
        return text
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => JSON.parse(line) as NginxAccessEntry);
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
