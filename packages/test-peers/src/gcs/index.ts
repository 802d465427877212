// Stand-ins for Google Cloud Storage and Google's OAuth2 token endpoint (no real one can run
// here), shared by @switchyard/gcs's tests and the demo.

export {
  type GcsRequestRecord,
  type GcsStandIn,
  type GcsStandInOptions,
  parseRange,
  type StoredObject,
  startGcsStandIn,
  type TokenCheck,
} from "./gcs-stand-in.ts";
export { installLoopbackGuard } from "./loopback-guard.ts";
export {
  type IssuedToken,
  type KnownAccount,
  type OAuthStandIn,
  type OAuthStandInOptions,
  startOAuthStandIn,
  type TokenRequestRecord,
  verifyAssertion,
} from "./oauth-stand-in.ts";
export { makeServiceAccountKey, type ServiceAccountKeyFile } from "./service-account-key.ts";
export { type GcsWithOAuth, type GcsWithOAuthOptions, startGcsWithOAuth } from "./start-gcs-with-oauth.ts";
