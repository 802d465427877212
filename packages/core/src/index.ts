export type { AnswerReaction, FailureReaction } from "./answer-hooks.ts";
export { afterAnswer } from "./answer-hooks.ts";
export { attemptErrorChannel } from "./attempt-events.ts";
export type { BodyFactory, ByteStream, DispatchBody, ReplayableBody, RequestBody } from "./body.ts";
export { BodyHolder, replayable } from "./body.ts";
export type { BucketUrlProblem, BucketUrlRules, ParsedBucketUrl } from "./bucket-url.ts";
export { parseBucketUrl, percentDecode, rfc3986Encode } from "./bucket-url.ts";
export type { CacheMode, CacheStatus } from "./cache-mode.ts";
export { CACHE_MODES } from "./cache-mode.ts";
export type { ChainOrder } from "./chain.ts";
export { validateMiddleware } from "./chain.ts";
export type { CallInit, Client, ClientOptions } from "./client.ts";
export { createClient } from "./client.ts";
export type { ContextKey } from "./context.ts";
export { Context, contextKey } from "./context.ts";
export type {
  BasicCredential,
  BearerCredential,
  CondaTokenCredential,
  Credential,
  CredentialBase,
  CredentialStore,
  HeaderCredential,
  S3Credential,
} from "./credentials.ts";
export { CREDENTIAL_KINDS } from "./credentials.ts";
export {
  isCrossOriginSecret,
  secretHeadersKey,
  stripCrossOriginSecrets,
  withoutCrossOriginSecrets,
} from "./cross-origin.ts";
export type { DecompressLimits, DecompressOption, DecompressOptions } from "./decompress.ts";
export { channels, pluginChannel } from "./diagnostics.ts";
export type { DnsCacheOptions } from "./dns-options.ts";
export type { ProxyEnv } from "./env-proxy.ts";
export { noProxyFrom, proxyFor, proxyVariable } from "./env-proxy.ts";
export type { EnvProxyOptions } from "./env-proxy-options.ts";
export {
  isAbortError,
  isBodyNotReplayableError,
  isClientClosedError,
  isConnectError,
  isDecompressionLimitError,
  isIntegrityError,
  isInvalidOptionsError,
  isInvalidRequestError,
  isRedirectError,
  isResponseError,
  isSocketError,
  isStateStoreError,
  isTimeoutError,
  isUnsupportedSchemeError,
} from "./error-guards.ts";
export type { DecompressionLimit, SwitchyardErrorOptions, TimeoutPhase } from "./errors.ts";
export {
  AbortError,
  BodyNotReplayableError,
  ClientClosedError,
  ConnectError,
  DecompressionLimitError,
  InvalidOptionsError,
  InvalidRequestError,
  isSwitchyardError,
  RedirectError,
  ResponseError,
  SocketError,
  SwitchyardError,
  TimeoutError,
  UnsupportedSchemeError,
} from "./errors.ts";
export { REQUEST_BODY_BUFFER_LIMIT } from "./fetch-body.ts";
export type { HeadersInit, HeaderValue } from "./headers.ts";
export { HttpHeaders } from "./headers.ts";
export type { IntegrityAlgorithm, IntegrityDigest, ParsedIntegrity } from "./integrity.ts";
export { parseIntegrity } from "./integrity.ts";
export type { IntegrityErrorOptions } from "./integrity-error.ts";
export { IntegrityError } from "./integrity-error.ts";
export type { IntegritySite } from "./integrity-stream.ts";
export { IntegrityStream } from "./integrity-stream.ts";
export type { AttemptBudget, ServedBy } from "./keys.ts";
export {
  attemptBudgetKey,
  attemptKey,
  CIRCUIT_OPEN_CODE,
  cacheStatusKey,
  credentialKey,
  notBeforeKey,
  servedByKey,
} from "./keys.ts";
export type { ErrorSite } from "./map-error.ts";
export { mapError } from "./map-error.ts";
export type { MemoryStateStoreOptions } from "./memory-state-store.ts";
export { memoryStateStore } from "./memory-state-store.ts";
export type { Middleware, Next } from "./middleware.ts";
export { shouldProxy } from "./no-proxy.ts";
export type { ProxyRule } from "./proxy-rules.ts";
export {
  isSecretHeader,
  MIN_SECRET_LENGTH,
  redactHeaders,
  redactSecrets,
  redactUrl,
  redactUrlError,
  SHORT_SECRET_LENGTH,
} from "./redact.ts";
export { isRedirect, redirectRequest } from "./redirect.ts";
export type { RedirectMode, RequestChanges, RequestInit, RequestOptions, UrlParts } from "./request.ts";
export { HttpRequest } from "./request.ts";
export type { ResponseInit } from "./response.ts";
export { HttpResponse } from "./response.ts";
export { pluginForScheme } from "./scheme.ts";
export { publishScrubbed, scrubSecrets } from "./scrub.ts";
export { checkSealKey, openState, sealState } from "./seal-state.ts";
export type { SharedToken, SharedTokensOptions } from "./shared-tokens.ts";
export { SharedTokens } from "./shared-tokens.ts";
export { abortReason, sleep } from "./sleep.ts";
export type { Stage } from "./stage.ts";
export { isStage, STAGES } from "./stage.ts";
export { ChangeFanout } from "./state-change-fanout.ts";
export { stateKey } from "./state-key.ts";
export type { StateChange, StateEntry, StateLease, StateStore } from "./state-store.ts";
export {
  checkStateKey,
  checkStateStep,
  checkStateTtl,
  checkStateValue,
  MAX_STATE_TTL_MS,
  StateStoreError,
} from "./state-store-error.ts";
export type { StateStoreGuard, StateStoreGuardOptions } from "./state-store-guard.ts";
export { checkStore, guardStateStore, stateStoreChannel } from "./state-store-guard.ts";
export { isServerFailure, isTransientError, isTransientStatus, TRANSIENT_STATUSES } from "./transient.ts";
export type { ProxyOptions, TlsOptions, TransportOptions } from "./transport-options.ts";
