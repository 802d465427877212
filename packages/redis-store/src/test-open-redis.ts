// The conformance suite's worker module: child processes open the same server and prefix through it.
import type { StateStore } from "@switchyard/core";
import { redisStore } from "./redis-store.ts";

export async function openStateStore(spec: {
  url: string | string[];
  cluster: boolean;
  prefix: string;
}): Promise<StateStore> {
  return redisStore(spec);
}
