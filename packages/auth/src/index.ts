export type { CredentialPlan } from "./apply-credential.ts";
export { basicAuthorization, insertCondaToken, planCredential } from "./apply-credential.ts";
export type { AuthMiddleware, AuthOptions, InsecureHttpAction } from "./auth.ts";
export { auth } from "./auth.ts";
export type { AuthStore } from "./auth-store.ts";
export type { ComposedStore, ComposeStoresOptions } from "./compose-stores.ts";
export { composeStores } from "./compose-stores.ts";
export type { CredentialKey, LookupTarget, ParseKeyResult, UrlFields } from "./credential-key.ts";
export { lookupTarget, parseKey } from "./credential-key.ts";
export type { CredentialMatcher, MatcherEntry, MatchResult } from "./credential-matcher.ts";
export { createMatcher } from "./credential-matcher.ts";
export { parseCredentialsJson } from "./credentials-json.ts";
export type { EnvCredentialSpec, EnvStoreOptions } from "./env-store.ts";
export { envStore } from "./env-store.ts";
export type { CredentialFileErrorOptions, CredentialFileProblem } from "./errors.ts";
export {
  CredentialExpiredError,
  CredentialFileError,
  CredentialStoreError,
  InsecureCredentialError,
  KeyringUnavailableError,
  TokenRefreshError,
} from "./errors.ts";
export { authChannels } from "./events.ts";
export type { FileStore, FileStoreOptions } from "./file-store.ts";
export { fileStore } from "./file-store.ts";
export type { KeyringModule, KeyringStore, KeyringStoreOptions } from "./keyring-store.ts";
export { keyringStore } from "./keyring-store.ts";
export type { CredentialEntries, MemoryStore, MemoryStoreOptions } from "./memory-store.ts";
export { memoryStore } from "./memory-store.ts";
export type { HrefSource } from "./miss-key.ts";
export type { NetrcDocument, NetrcEntry, NetrcProblem } from "./netrc-parser.ts";
export { parseNetrc } from "./netrc-parser.ts";
export type { NetrcStore, NetrcStoreOptions } from "./netrc-store.ts";
export { netrcStore } from "./netrc-store.ts";
export type { OAuthSource, OAuthStoreOptions, OAuthToken } from "./oauth-store.ts";
export { oauthStore } from "./oauth-store.ts";
export type { DecodeResult } from "./rattler-format.ts";
export { decodeRattlerValue, encodeRattlerValue } from "./rattler-format.ts";
export type { FileProblem, Parsed, WatchedFileOptions } from "./watched-file.ts";
