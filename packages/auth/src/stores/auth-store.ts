import type { CredentialStore } from "@switchyard/core";

/**
 * A {@link CredentialStore} as the auth plugin's stores implement it: the core interface, plus an
 * optional revision that changes whenever the store's data changes (a file was edited). The
 * composite store drops its cached misses when any revision moves.
 */
export interface AuthStore extends CredentialStore {
  /**
   * A number that changes whenever the store's data changes. File stores stat their file here, at
   * most once per recheck interval, so this is usually synchronous.
   */
  revision?(): number | Promise<number>;
}
