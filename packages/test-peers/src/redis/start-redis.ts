import type { PeerProcess } from "@switchyard/testkit/process";
import {
  createPeerTempDir,
  launchPeer,
  type PeerTempDir,
  startOnFreePort,
} from "@switchyard/testkit/process";
import { peerBinary } from "../peer-availability.ts";

/** Options of {@link startRedis}. */
export interface RedisOptions {
  /** Require this password (`--requirepass`); the URL then carries it. */
  password?: string;
  /** Start as a Redis Cluster node (`--cluster-enabled yes`); see `startRedisCluster`. @default false */
  clusterEnabled?: boolean;
  /** Listen on this port instead of a free one. */
  port?: number;
  /** Give up waiting for the port after this many milliseconds. @default 10000 */
  readyTimeoutMs?: number;
}

/** A running `redis-server`, with the levers of the store-down tests. */
export interface RedisPeer {
  /** `redis://[:password@]127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** PID of the current process (a new one after {@link RedisPeer.restart}). */
  readonly pid: number;
  /** Its working directory (cluster `nodes.conf`); removed on stop. */
  readonly dir: string;
  readonly process: PeerProcess;
  /** SIGSTOP: the server keeps its connections open but answers nothing (a hung store). */
  hang(): Promise<void>;
  /** SIGCONT after {@link RedisPeer.hang}. */
  resume(): Promise<void>;
  /** SIGKILL: the server dies at once (a crashed store); its data is gone (no persistence). */
  crash(): Promise<void>;
  /** Starts the server again on the same port after a crash or a stop (not for cluster nodes). */
  restart(): Promise<void>;
  /** Stops the server by its PID (SIGCONT first if hung) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

function redisArgs(port: number, options: RedisOptions): string[] {
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--protected-mode",
    "yes",
  ];
  if (options.password !== undefined) args.push("--requirepass", options.password);
  if (options.clusterEnabled) {
    args.push(
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      "nodes.conf",
      "--cluster-node-timeout",
      "2000",
    );
  }
  return args;
}

async function launch(port: number, dir: PeerTempDir, options: RedisOptions): Promise<PeerProcess> {
  return launchPeer({
    name: "redis-server",
    command: peerBinary("redis"),
    args: redisArgs(port, options),
    cwd: dir.path,
    port,
    readyTimeoutMs: options.readyTimeoutMs,
  });
}

/**
 * Starts Debian's `redis-server` in the foreground on 127.0.0.1, no persistence, in its own temp
 * directory, as a child process stopped by its PID.
 *
 * @example
 * ```ts
 * const redis = await startRedis();
 * const store = redisStore({ url: redis.url });
 * await redis.hang(); // SIGSTOP: a hung store
 * await redis.resume();
 * await redis.stop();
 * ```
 */
export async function startRedis(options: RedisOptions = {}): Promise<RedisPeer> {
  const dir = await createPeerTempDir("redis");
  try {
    const start = async (port: number): Promise<{ child: PeerProcess; port: number }> => ({
      child: await launch(port, dir, options),
      port,
    });
    let { child, port } =
      options.port === undefined ? await startOnFreePort(start) : await start(options.port);
    let hung = false;
    let stopped: Promise<void> | undefined;
    const auth = options.password === undefined ? "" : `:${encodeURIComponent(options.password)}@`;
    const signal = (name: NodeJS.Signals): void => {
      try {
        process.kill(child.pid, name);
      } catch {
        // already gone
      }
    };
    const peer: RedisPeer = {
      url: `redis://${auth}127.0.0.1:${port}`,
      port,
      get pid() {
        return child.pid;
      },
      dir: dir.path,
      get process() {
        return child;
      },
      async hang() {
        signal("SIGSTOP");
        hung = true;
      },
      async resume() {
        signal("SIGCONT");
        hung = false;
      },
      async crash() {
        if (hung) await peer.resume();
        await child.stop({ signal: "SIGKILL" });
      },
      async restart() {
        if (child.isRunning()) await child.stop();
        child = await launch(port, dir, options);
      },
      stop() {
        stopped ??= (async () => {
          if (hung) signal("SIGCONT");
          await child.stop();
          await dir.remove();
        })();
        return stopped;
      },
    };
    return peer;
  } catch (error) {
    await dir.remove();
    throw error;
  }
}
