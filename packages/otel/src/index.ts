export { errorType, requestAttributes } from "./attributes.ts";
export type { CallState } from "./call-tracker.ts";
export { CallTracker, failSpan } from "./call-tracker.ts";
export type { OtelMiddleware, OtelOptions } from "./otel.ts";
export { otel } from "./otel.ts";
export type { OtelInstruments } from "./otel-metrics.ts";
export { createInstruments } from "./otel-metrics.ts";
