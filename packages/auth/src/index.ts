export type { AuthMiddleware, AuthOptions, InsecureHttpAction } from "./auth.ts";
export { auth } from "./auth.ts";
export type { CredentialFileErrorOptions, CredentialFileProblem } from "./errors.ts";
export {
  CredentialExpiredError,
  CredentialFileError,
  CredentialStoreError,
  InsecureCredentialError,
  isCredentialExpiredError,
  isCredentialFileError,
  isCredentialStoreError,
  isInsecureCredentialError,
  isKeyringUnavailableError,
  isTokenRefreshError,
  KeyringUnavailableError,
  TokenRefreshError,
} from "./errors.ts";
export { authChannels } from "./events.ts";
export type { HrefSource } from "./miss-key.ts";
export type { AuthStore } from "./stores/auth-store.ts";
export type { ComposedStore, ComposeStoresOptions } from "./stores/compose-stores.ts";
export { composeStores } from "./stores/compose-stores.ts";
export type { EnvCredentialSpec, EnvStoreOptions } from "./stores/env-store.ts";
export { envStore } from "./stores/env-store.ts";
export type { FileStore, FileStoreOptions } from "./stores/file-store.ts";
export { fileStore } from "./stores/file-store.ts";
export type { KeyringModule, KeyringStore, KeyringStoreOptions } from "./stores/keyring-store.ts";
export { keyringStore } from "./stores/keyring-store.ts";
export type { CredentialEntries, MemoryStore, MemoryStoreOptions } from "./stores/memory-store.ts";
export { memoryStore } from "./stores/memory-store.ts";
export type { NetrcStore, NetrcStoreOptions } from "./stores/netrc-store.ts";
export { netrcStore } from "./stores/netrc-store.ts";
export type { OAuthSource, OAuthStoreOptions, OAuthToken } from "./stores/oauth-store.ts";
export { oauthStore } from "./stores/oauth-store.ts";
export type { WatchedFileOptions } from "./stores/watched-file.ts";
