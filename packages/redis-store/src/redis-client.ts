import { InvalidOptionsError } from "@switchyard/core";
import { Cluster, Redis } from "ioredis";

/** The two ioredis clients the store drives. */
export type RedisClient = Redis | Cluster;

/**
 * Opens an ioredis client for `url` (a single node) or, with `cluster`, for the seed nodes in
 * `url`. Commands wait at most `commandTimeoutMs`, are tried once more after a reconnect at most,
 * and connection errors are handled (they surface as rejected operations, which the plugins'
 * guard turns into fallbacks): ioredis would otherwise print "Unhandled error event".
 */
export function openRedisClient(
  url: string | readonly string[],
  cluster: boolean,
  commandTimeoutMs: number,
): RedisClient {
  const urls = typeof url === "string" ? [url] : [...url];
  if (urls.length === 0 || urls.some((u) => typeof u !== "string")) {
    throw new InvalidOptionsError("redisStore(): url must be a redis:// URL or a list of them");
  }
  const parsed = urls.map((u) => {
    let value: URL;
    try {
      value = new URL(u);
    } catch {
      throw new InvalidOptionsError("redisStore(): url is not a valid URL (redis://host:port)");
    }
    if (value.protocol !== "redis:" && value.protocol !== "rediss:") {
      throw new InvalidOptionsError(`redisStore(): url must use redis: or rediss:, got ${value.protocol}`);
    }
    return value;
  });
  if (!cluster && parsed.length > 1) {
    throw new InvalidOptionsError("redisStore(): several urls are Cluster seed nodes: add cluster: true");
  }
  const common = {
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // Back off up to a second between reconnects; the guard decides when to ask again.
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
  };
  let client: RedisClient;
  if (cluster) {
    const first = parsed[0] as URL;
    client = new Cluster(
      parsed.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
      {
        clusterRetryStrategy: common.retryStrategy,
        redisOptions: {
          ...common,
          username: first.username ? decodeURIComponent(first.username) : undefined,
          password: first.password ? decodeURIComponent(first.password) : undefined,
          tls: first.protocol === "rediss:" ? {} : undefined,
        },
      },
    );
  } else {
    client = new Redis(parsed[0]?.href as string, common);
  }
  client.on("error", () => {
    // Reported through the operations that fail (see above).
  });
  return client;
}
