export type { MirrorOutcome, MirrorReport } from "./all-mirrors-failed-error.ts";
export { AllMirrorsFailedError, isAllMirrorsFailedError } from "./all-mirrors-failed-error.ts";
export type { StatusPolicy, StatusRules } from "./failure-rules.ts";
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
export type { Availability, MirrorStanding, TieOrder } from "./select-order.ts";
