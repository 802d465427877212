export type { FaultConnection } from "./fault-connection.ts";
export type { FaultMode, FaultPlan } from "./fault-mode.ts";
export { closeAfter, delay, resetAfter, throttle } from "./fault-mode.ts";
export type { FaultProxy, FaultProxyOptions } from "./fault-proxy.ts";
export { startFaultProxy } from "./fault-proxy.ts";
