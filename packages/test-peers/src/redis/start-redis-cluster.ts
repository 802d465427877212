import { spawn } from "node:child_process";
import { freePort } from "@switchyard/testkit/process";
import { peerBinary } from "../peer-availability.ts";
import { type RedisPeer, startRedis } from "./start-redis.ts";

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** How many primaries (no replicas). Redis Cluster needs at least three. @default 3 */
  nodes?: number;
  /** Give up waiting for `cluster_state:ok` after this many milliseconds. @default 20000 */
  readyTimeoutMs?: number;
}

/** A running Redis Cluster on loopback ports. */
export interface RedisClusterPeer {
  /** Seed URLs of every node (`redis://127.0.0.1:PORT`). */
  readonly urls: readonly string[];
  readonly nodes: readonly RedisPeer[];
  /** Stops every node by its PID. Idempotent. */
  stop(): Promise<void>;
}

function run(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Starts a Redis Cluster on 127.0.0.1: `nodes` servers with `--cluster-enabled yes`, each in its own
 * temp directory (where it writes `nodes.conf`), joined by `redis-cli --cluster create ...
 * --cluster-replicas 0 --cluster-yes`; resolves once every node reports `cluster_state:ok`.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster();
 * const store = redisStore({ url: cluster.urls, cluster: true });
 * await cluster.stop();
 * ```
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterPeer> {
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 3) throw new Error("a Redis Cluster needs at least three nodes");
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const cli = peerBinary("redisCli");
  const nodes: RedisPeer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < count; i++)
      nodes.push(await startRedis({ clusterEnabled: true, port: await freePort() }));
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    const created = await run(
      cli,
      ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"],
      readyTimeoutMs,
    );
    if (created.code !== 0)
      throw new Error(`redis-cli --cluster create failed:\n${created.output.slice(-2000)}`);
    const until = Date.now() + readyTimeoutMs;
    for (const node of nodes) {
      for (;;) {
        const info = await run(cli, ["-p", String(node.port), "cluster", "info"], 5000);
        if (/cluster_state:ok/.test(info.output)) break;
        if (Date.now() > until)
          throw new Error(`cluster node ${node.port} not ok: ${info.output.slice(0, 500)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return { urls: nodes.map((node) => `redis://127.0.0.1:${node.port}`), nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
