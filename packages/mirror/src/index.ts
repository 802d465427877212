export type { MirrorOutcome, MirrorReport } from "./all-mirrors-failed-error.ts";
export { AllMirrorsFailedError, isAllMirrorsFailedError } from "./all-mirrors-failed-error.ts";
export {
  abortableSleep,
  defaultFailoverDelay,
  FAILOVER_DELAY_BASE_MS,
  FAILOVER_DELAY_CAP_MS,
} from "./failover-delay.ts";
export type { ResponseVerdict, StatusPolicy, StatusRules } from "./failure-rules.ts";
export { isMirrorFailure, judgeStatus } from "./failure-rules.ts";
export type { MirrorMiddleware } from "./mirror.ts";
export { mirror } from "./mirror.ts";
export type { MirrorInput, MirrorSpec, MirrorsConfig, PrefixConfig, PrefixSpec } from "./mirror-config.ts";
export { mirrorChannels } from "./mirror-events.ts";
export type {
  MirrorOptions,
  MirrorRoute,
  SelectCandidate,
  SelectHook,
  SelectInput,
} from "./mirror-options.ts";
export { mirrorRouteKey } from "./mirror-options.ts";
export type { MirrorPool, MirrorSnapshot, PoolSnapshot } from "./mirror-pool.ts";
export type { UrlPrefix } from "./mirror-prefix.ts";
export { longestPrefix, parsePrefix, restBelow } from "./mirror-prefix.ts";
export type { Availability, DecayState, MirrorStanding, TieOrder } from "./select-order.ts";
export { availabilityOf, decayFailures, orderMirrors, shuffleInPlace } from "./select-order.ts";
