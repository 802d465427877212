import { randomUUID } from "node:crypto";
import {
  type RedisClusterPeer,
  type RedisPeer,
  requirePeer,
  startRedis,
  startRedisCluster,
} from "@switchyard/test-peers";
import { describeStateStoreConformance } from "@switchyard/testkit/state-store";
import { afterAll, beforeAll, describe, it } from "vitest";
import { redisStore } from "./redis-store.ts";

const redis = requirePeer("redis");
const worker = new URL("./test-open-redis.ts", import.meta.url).href;

describe.skipIf(redis.skip)(`redisStore against a real redis-server ${redis.reason}`, () => {
  describe("single node", () => {
    let server: RedisPeer;
    beforeAll(async () => {
      server = await startRedis();
    }, 30_000);
    afterAll(() => server?.stop());

    describeStateStoreConformance(
      "redis (single node)",
      async () => {
        const prefix = `t${randomUUID()}:`;
        return {
          open: async () => redisStore({ url: server.url, prefix }),
          worker: { module: worker, spec: { url: server.url, cluster: false, prefix } },
          outage: {
            hang: () => server.hang(),
            resume: () => server.resume(),
            crash: () => server.crash(),
            restart: () => server.restart(),
          },
        };
      },
      { test: { describe, it } },
    );
  });

  describe("three-node cluster", () => {
    let cluster: RedisClusterPeer;
    beforeAll(async () => {
      cluster = await startRedisCluster();
    }, 60_000);
    afterAll(() => cluster?.stop());

    describeStateStoreConformance(
      "redis (cluster)",
      async () => {
        const prefix = `t${randomUUID()}:`;
        return {
          open: async () => redisStore({ url: cluster.urls, cluster: true, prefix }),
          worker: { module: worker, spec: { url: cluster.urls, cluster: true, prefix } },
        };
      },
      {
        test: { describe, it },
        skip: {
          "outage-hang":
            "store-down is checked on the single node (a hung cluster node is a failover test of Redis itself)",
          "outage-crash": "store-down is checked on the single node",
        },
      },
    );
  });
});
