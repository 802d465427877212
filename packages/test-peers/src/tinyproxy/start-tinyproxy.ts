import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PeerProcess } from "@switchyard/testkit/process";
import { createPeerTempDir, launchPeer, startOnFreePort } from "@switchyard/testkit/process";
import { peerBinary } from "../peer-availability.ts";
import { renderTinyproxyConfig } from "./tinyproxy-config.ts";

/** Options of {@link startTinyproxy}. */
export interface TinyproxyOptions {
  /**
   * Require proxy credentials (`BasicAuth user password`): 407 with `Proxy-Authenticate` without
   * them; tinyproxy 1.11 answers wrong ones with 401 and `WWW-Authenticate`.
   */
  basicAuth?: { user: string; password: string };
  /** Idle connection timeout in seconds. @default 30 */
  timeoutSeconds?: number;
  /** Give up waiting for the port after this many milliseconds. @default 10000 */
  readyTimeoutMs?: number;
}

/** A running tinyproxy. */
export interface TinyproxyPeer {
  /** Proxy URL `http://127.0.0.1:PORT` (without credentials). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Temp dir holding config and pid file; removed on stop. */
  readonly dir: string;
  readonly process: PeerProcess;
  /** tinyproxy's log lines so far (it logs to stdout in the foreground). */
  logLines(): readonly string[];
  /** Requests seen so far (`CONNECT host:port` tunnels and absolute-form requests), in order. */
  requests(): TinyproxyRequest[];
  /** The `host:port` targets of CONNECT tunnels so far, in order. */
  connects(): string[];
  /** Resolves with the first log line (seen or future) matching `pattern`. @default timeoutMs 5000 */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Stops tinyproxy by its PID and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** One request line from tinyproxy's log. */
export interface TinyproxyRequest {
  /** `CONNECT` for tunnels, otherwise the forwarded method. */
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
}

const REQUEST_LINE = /Request \(file descriptor \d+\): (\S+) (\S+) HTTP\/\d/;

function parseRequests(lines: readonly string[]): TinyproxyRequest[] {
  return lines.flatMap((line) => {
    const match = REQUEST_LINE.exec(line);
    return match ? [{ method: match[1] ?? "", target: match[2] ?? "" }] : [];
  });
}

/**
 * Starts Debian's tinyproxy in the foreground (`tinyproxy -d -c conf`) on 127.0.0.1.
 *
 * @example
 * ```ts
 * const proxy = await startTinyproxy({ basicAuth: { user: "u", password: "p" } });
 * const agent = new ProxyAgent({ uri: proxy.url, token: `Basic ${btoa("u:p")}`, proxyTunnel: true });
 * await request("http://127.0.0.1:8080/", { dispatcher: agent });
 * expect(proxy.connects()).toEqual(["127.0.0.1:8080"]);
 * await proxy.stop();
 * ```
 */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<TinyproxyPeer> {
  const binary = peerBinary("tinyproxy");
  const temp = await createPeerTempDir("tinyproxy");
  try {
    const configPath = join(temp.path, "tinyproxy.conf");
    const { child, port } = await startOnFreePort(async (port) => {
      await writeFile(
        configPath,
        renderTinyproxyConfig({
          port,
          dir: temp.path,
          basicAuth: options.basicAuth,
          timeoutSeconds: options.timeoutSeconds ?? 30,
        }),
      );
      const child = await launchPeer({
        name: "tinyproxy",
        command: binary,
        args: ["-d", "-c", configPath],
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
      dir: temp.path,
      process: child,
      logLines: () => child.lines,
      requests: () => parseRequests(child.lines),
      connects: () =>
        parseRequests(child.lines)
          .filter((entry) => entry.method === "CONNECT")
          .map((entry) => entry.target),
      waitForLog: (pattern, timeoutMs) => child.waitForLine(pattern, timeoutMs),
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
