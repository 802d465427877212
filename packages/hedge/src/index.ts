export { ExtraLoadBucket } from "./extra-load.ts";
export type { HedgeMiddleware, HedgeOriginSnapshot } from "./hedge.ts";
export { hedge } from "./hedge.ts";
export { hedgeChannels } from "./hedge-events.ts";
export type { HedgeOptions, HedgeTimers } from "./hedge-options.ts";
export { LatencyHistogram } from "./latency-histogram.ts";
