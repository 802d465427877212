export type { BodyFactory, ByteStream, DispatchBody, ReplayableBody, RequestBody } from "./body.ts";
export { BodyHolder, isReplayableValue, replayable } from "./body.ts";
export type { BucketUrlProblem, BucketUrlRules, ParsedBucketUrl } from "./bucket-url.ts";
export { parseBucketUrl, percentDecode, rfc3986Encode } from "./bucket-url.ts";
export type { CacheMode, CacheStatus } from "./cache-mode.ts";
export { CACHE_MODES, checkCacheMode } from "./cache-mode.ts";
export type { Chain, ChainOrder } from "./chain.ts";
export { composeChain, orderMiddleware, validateMiddleware } from "./chain.ts";
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
export { channels, pluginChannel } from "./diagnostics.ts";
export type { SwitchyardErrorOptions, TimeoutPhase } from "./errors.ts";
export {
  AbortError,
  BodyNotReplayableError,
  ClientClosedError,
  ConnectError,
  describeCall,
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
export { toWebResponse } from "./fetch.ts";
export type { HeadersInit, HeaderValue } from "./headers.ts";
export { HttpHeaders } from "./headers.ts";
export type { ServedBy } from "./keys.ts";
export { attemptKey, cacheStatusKey, credentialKey, notBeforeKey, servedByKey } from "./keys.ts";
export type { ErrorSite } from "./map-error.ts";
export { mapError } from "./map-error.ts";
export type { Middleware, Next } from "./middleware.ts";
export { isSecretHeader, REDACTED, redactHeaders, redactSecrets, redactUrl } from "./redact.ts";
export { DEFAULT_MAX_REDIRECTS, isRedirect, redirectRequest } from "./redirect.ts";
export type { RedirectMode, RequestChanges, RequestInit, RequestOptions, UrlParts } from "./request.ts";
export { HttpRequest } from "./request.ts";
export type { ResponseInit } from "./response.ts";
export { DISCARD_DRAIN_LIMIT, HttpResponse } from "./response.ts";
export { pluginForScheme } from "./scheme.ts";
export { abortReason, sleep } from "./sleep.ts";
export type { Stage } from "./stage.ts";
export { isStage, STAGES } from "./stage.ts";
export type { StateChange, StateEntry, StateLease, StateStore } from "./state-store.ts";
export type { Transport } from "./transport.ts";
export { createTransport } from "./transport.ts";
export type { ProxyOptions, TlsOptions, TransportOptions } from "./transport-options.ts";
