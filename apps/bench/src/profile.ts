// Runs one throughput contender for a while so that `node --cpu-prof src/profile.ts <name>` gives a
// profile of its hot path alone (the origin runs in its own process, outside the profile).
// `node --cpu-prof src/profile.ts <name> [count] [whole|stream]` (bodies read whole by default).
import { redisStore } from "@switchyard/redis-store";
import { peerAvailable, startRedis } from "@switchyard/test-peers";
import { type BodyRead, buildContenders, REDIS_CONTENDER } from "./contenders.ts";
import { measure } from "./measure.ts";
import { startOrigin } from "./origin.ts";

const name = process.argv[2] ?? "core, all seven plugins";
const count = Number(process.argv[3] ?? 50_000);
const origin = await startOrigin();
const read = (process.argv[4] ?? "whole") as BodyRead;
// The Redis-store contender needs a real redis-server (started here, stopped by PID).
const redis = name === REDIS_CONTENDER && peerAvailable("redis") ? await startRedis() : undefined;
const stateStore = redis === undefined ? undefined : redisStore({ url: redis.url });
const contenders = buildContenders(origin.url, 16, stateStore, read);
const contender = contenders.find((c) => c.name === name);
try {
  if (!contender)
    throw new Error(
      `no contender ${JSON.stringify(name)}; one of ${contenders.map((c) => c.name).join(", ")}`,
    );
  const round = await measure(contender.call, count, 16);
  console.log(
    `${name}: ${Math.round(round.requestsPerSecond)} req/s, ${round.cpuMicros.toFixed(1)} µs CPU/req`,
  );
} finally {
  for (const c of contenders) await c.close();
  await stateStore?.close();
  await redis?.stop();
  await origin.close();
}
