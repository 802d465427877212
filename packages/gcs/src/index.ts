export type { GoogleAuthClientLike, GoogleAuthLike, GoogleAuthOptions } from "./auth/google-auth.ts";
export { googleAuth } from "./auth/google-auth.ts";
export type { MetadataServerOptions } from "./auth/metadata-server.ts";
export { metadataServer } from "./auth/metadata-server.ts";
export type { ServiceAccountKey, ServiceAccountOptions } from "./auth/service-account.ts";
export { serviceAccount } from "./auth/service-account.ts";
export { staticToken } from "./auth/static-token.ts";
export type { FetchLike } from "./auth/token-endpoint.ts";
export type { AccessToken, GcsTokenProvider, TokenRequest } from "./auth/token-provider.ts";
export { READ_ONLY_SCOPE, READ_WRITE_SCOPE } from "./auth/token-provider.ts";
export type { GcsErrorDetails, GcsRequestProblem, GcsTokenProblem } from "./errors.ts";
export {
  GcsError,
  GcsRequestError,
  GcsTokenError,
  isGcsError,
  isGcsRequestError,
  isGcsTokenError,
} from "./errors.ts";
export { gcs } from "./gcs.ts";
export type { GcsOptions } from "./gcs-options.ts";
export type { GcsApi } from "./gcs-url.ts";
export { gcsUrl } from "./gcs-url.ts";
