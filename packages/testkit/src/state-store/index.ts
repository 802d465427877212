// The conformance suite every state store (memory, SQLite, Redis, third-party) runs.

export type { StateStoreConformanceOptions, StateStoreTestApi } from "./describe-state-store-conformance.ts";
export { describeStateStoreConformance, STATE_STORE_CHECKS } from "./describe-state-store-conformance.ts";
export type { RecordingStateStore } from "./recording-state-store.ts";
export { recordingStateStore } from "./recording-state-store.ts";
export type { StateStoreCheck } from "./state-store-check.ts";
export type { StateStoreOutage, StateStoreTarget, StateStoreTargetFactory } from "./state-store-target.ts";
export type { WorkerPool } from "./worker-pool.ts";
export { startWorkerPool } from "./worker-pool.ts";
export type { WorkerTask } from "./worker-task.ts";
