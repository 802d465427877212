// The conformance suite's worker module: child processes open the same database file through it.
import type { StateStore } from "@switchyard/core";
import { sqliteStore } from "./sqlite-store.ts";

export async function openStateStore(spec: { path: string }): Promise<StateStore> {
  return sqliteStore({ path: spec.path, busyTimeoutMs: 5000 });
}
