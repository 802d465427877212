// The conformance suite a plugin author runs against their middleware in one call.

export { ConformanceError, isConformanceError } from "./conformance-error.ts";
export type {
  ConformanceCheckId,
  ConformanceOptions,
  MiddlewareFactory,
  ResolvedConformanceOptions,
} from "./conformance-options.ts";
export { CONFORMANCE_CHECKS, resolveConformanceOptions } from "./conformance-options.ts";
export type { PlannedCheck } from "./conformance-plan.ts";
export { planConformance } from "./conformance-plan.ts";
export type { ConformanceRoute, ConformanceServerRequest, TransferCounters } from "./conformance-server.ts";
export { ConformanceServer, OK_BODY } from "./conformance-server.ts";
export type { ConformanceTestApi, DescribeConformanceOptions } from "./describe-conformance.ts";
export { describeConformance } from "./describe-conformance.ts";
export type { DescribeErrorClassesOptions, ErrorClassCase } from "./describe-error-classes.ts";
export { describeErrorClasses, ERROR_CASE_WHERE } from "./describe-error-classes.ts";
export { formatConformanceResult } from "./format-conformance-result.ts";
export type { ConformanceFailure, ConformanceResult, ConformanceSkip } from "./run-conformance.ts";
export { runConformance } from "./run-conformance.ts";
export type { SecretFinding } from "./secret-scan.ts";
export { findSecrets, secretForms } from "./secret-scan.ts";
