import type { CredentialStore, StateStore } from "@switchyard/core";
import { checkSealKey, checkStore, InvalidOptionsError } from "@switchyard/core";
import type { GcsTokenProvider } from "./auth/token-provider.ts";
import { READ_ONLY_SCOPE } from "./auth/token-provider.ts";
import type { GcsApi } from "./gcs-url.ts";

/** Options of {@link gcs}. */
export interface GcsOptions {
  /**
   * Where bearer tokens come from: {@link serviceAccount}, {@link metadataServer},
   * {@link googleAuth}, {@link staticToken} or your own provider. Without one (and without a
   * store), requests go unauthenticated, which serves public objects.
   * @default undefined
   */
  readonly auth?: GcsTokenProvider | undefined;
  /** OAuth scopes asked for. @default ["https://www.googleapis.com/auth/devstorage.read_only"] */
  readonly scopes?: readonly string[] | undefined;
  /**
   * The storage endpoint: an emulator or a private endpoint.
   * @default "https://storage.googleapis.com"
   */
  readonly endpoint?: string | URL | undefined;
  /**
   * `"xml"`: `GET/HEAD/PUT/DELETE {endpoint}/{bucket}/{object}`, plain HTTP semantics for all four
   * methods. `"json"`: the JSON API (`/storage/v1/b/{bucket}/o/{object}?alt=media`, uploads to
   * `/upload/storage/v1/...`), for emulators that serve only it; HEAD is not available there.
   * @default "xml"
   */
  readonly api?: GcsApi | undefined;
  /** A core credential store asked for a `bearer` credential before `auth`. @default undefined */
  readonly store?: CredentialStore | undefined;
  /** Also add the token to plain http(s) requests to the endpoint's origin. @default false */
  readonly authorizeEndpoint?: boolean | undefined;
  /** Turn GCS error answers (4xx/5xx) into a thrown {@link GcsError}; `false` returns them. @default true */
  readonly throwOnError?: boolean | undefined;
  /** Refresh a token this long before it expires (capped at half its lifetime). @default 300000 (5 min) */
  readonly refreshBeforeMs?: number | undefined;
  /** Send tokens to a non-loopback `http:` endpoint. Leave off outside tests. @default false */
  readonly allowInsecureHttp?: boolean | undefined;
  /** Clock in epoch milliseconds, for token expiry. @default Date.now */
  readonly now?: (() => number) | undefined;
  /**
   * A state store shared with other processes (`sqliteStore()`, `redisStore()`): one token fetch
   * per identity per expiry for the whole fleet. Holds the access token sealed with `sealKey`
   * (AES-256-GCM) under `gcs:token:<hash of the provider's identity and the scopes>`, and a short
   * fetch lease `gcs:fetch:<same hash>`. Requires `sealKey` (tokens are never shared in the clear)
   * and a provider with an `identity` (or `tokenIdentity`). A slow or dead store never fails a
   * request: this process fetches its own token, as without a store.
   * @default undefined (tokens stay in this process)
   */
  readonly stateStore?: StateStore | undefined;
  /**
   * 32 random bytes (or their base64) that seal tokens in `stateStore`; every process of the fleet
   * passes the same key (`openssl rand -base64 32`). A process with another key cannot open the
   * shared token and fetches its own.
   * @default undefined
   */
  readonly sealKey?: Uint8Array | string | undefined;
  /**
   * Whose tokens `auth` fetches, when the provider does not say (`googleAuth()`, `metadataServer()`
   * with the `"default"` account, your own provider): a non-secret name such as the service
   * account's email, hashed into the state key. Processes with the same `tokenIdentity` use each
   * other's tokens, so it must differ between principals.
   * @default the provider's `identity`
   */
  readonly tokenIdentity?: string | undefined;
  /** Longest wait for one state-store operation, in milliseconds. @default 50 */
  readonly stateStoreTimeoutMs?: number | undefined;
  /**
   * How long one process may hold the fleet's fetch lease; the others wait for its token at most
   * this long, then fetch their own. A token endpoint slower than this costs one extra fetch.
   * @default 10000
   */
  readonly tokenLeaseMs?: number | undefined;
}

/** Validated options. */
export interface GcsConfig {
  readonly auth: GcsTokenProvider | undefined;
  readonly scopes: readonly string[];
  readonly endpoint: URL;
  readonly api: GcsApi;
  readonly store: CredentialStore | undefined;
  readonly authorizeEndpoint: boolean;
  readonly throwOnError: boolean;
  readonly refreshBeforeMs: number;
  readonly now: () => number;
  /** Set when tokens are shared through a state store. */
  readonly sharing:
    | {
        readonly store: StateStore;
        readonly sealKey: Uint8Array;
        readonly identity: string;
        readonly timeoutMs: number | undefined;
        readonly leaseMs: number;
      }
    | undefined;
}

/** The public endpoint. */
export const GCS_ENDPOINT = "https://storage.googleapis.com";

function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "[::1]" || host === "localhost";
}

function bool(name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw new InvalidOptionsError(`gcs: ${name} must be a boolean`);
}

/** Validates {@link GcsOptions}; throws InvalidOptionsError synchronously. */
export function normaliseOptions(options: GcsOptions): GcsConfig {
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionsError("gcs: options must be an object");
  const auth = options.auth;
  if (
    auth !== undefined &&
    (typeof auth !== "object" || auth === null || typeof auth.fetchToken !== "function")
  )
    throw new InvalidOptionsError(
      "gcs: auth must be a token provider such as serviceAccount(key) or metadataServer()",
    );
  const scopes = options.scopes ?? [READ_ONLY_SCOPE];
  if (
    !Array.isArray(scopes) ||
    scopes.length === 0 ||
    !scopes.every((s) => typeof s === "string" && s !== "" && !/\s/.test(s))
  )
    throw new InvalidOptionsError("gcs: scopes must be a non-empty array of scope URLs");
  let endpoint: URL;
  try {
    endpoint = new URL(String(options.endpoint ?? GCS_ENDPOINT));
  } catch {
    throw new InvalidOptionsError("gcs: endpoint must be an http(s) URL");
  }
  if (endpoint.protocol !== "https:" && endpoint.protocol !== "http:")
    throw new InvalidOptionsError(`gcs: endpoint must be http: or https:, got ${endpoint.protocol}`);
  if (endpoint.username || endpoint.password || endpoint.search || endpoint.hash)
    throw new InvalidOptionsError("gcs: endpoint must be a bare origin (optionally with a path)");
  const allowInsecureHttp = bool("allowInsecureHttp", options.allowInsecureHttp) ?? false;
  if (
    endpoint.protocol === "http:" &&
    !isLoopback(endpoint.hostname) &&
    !allowInsecureHttp &&
    auth !== undefined
  )
    throw new InvalidOptionsError(
      `gcs: endpoint ${endpoint.origin} is plain http, which would expose tokens; use https, a loopback emulator, or allowInsecureHttp: true`,
    );
  const api = options.api ?? "xml";
  if (api !== "xml" && api !== "json")
    throw new InvalidOptionsError(`gcs: api must be "xml" or "json", got ${String(api)}`);
  const store = options.store;
  if (store !== undefined && (typeof store !== "object" || store === null || typeof store.get !== "function"))
    throw new InvalidOptionsError("gcs: store must be a CredentialStore (an object with get(url))");
  const refreshBeforeMs = options.refreshBeforeMs ?? 300_000;
  if (!Number.isFinite(refreshBeforeMs) || refreshBeforeMs < 0)
    throw new InvalidOptionsError("gcs: refreshBeforeMs must be a number of milliseconds >= 0");
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new InvalidOptionsError("gcs: now must be a function");
  return {
    auth,
    sharing: sharing(options, auth, scopes),
    scopes: Object.freeze([...scopes]),
    endpoint,
    api,
    store,
    authorizeEndpoint: bool("authorizeEndpoint", options.authorizeEndpoint) ?? false,
    throwOnError: bool("throwOnError", options.throwOnError) ?? true,
    refreshBeforeMs,
    now,
  };
}

function sharing(
  options: GcsOptions,
  auth: GcsTokenProvider | undefined,
  scopes: readonly string[],
): GcsConfig["sharing"] {
  if (options.stateStore === undefined) return undefined;
  const store = checkStore(options.stateStore, "gcs: stateStore");
  if (options.sealKey === undefined)
    throw new InvalidOptionsError(
      "gcs: stateStore shares access tokens, which are secrets: pass sealKey (32 random bytes, the same in every process) so they are stored encrypted, or leave stateStore out to keep tokens in this process",
    );
  const sealKey = checkSealKey(options.sealKey, "gcs: sealKey");
  const named = options.tokenIdentity ?? auth?.identity;
  if (named !== undefined && (typeof named !== "string" || named === ""))
    throw new InvalidOptionsError("gcs: tokenIdentity must be a non-empty string");
  if (auth !== undefined && named === undefined)
    throw new InvalidOptionsError(
      `gcs: stateStore shares tokens by whose they are, and the ${auth.name} provider does not say: pass tokenIdentity (for example the service account's email)`,
    );
  const timeoutMs = options.stateStoreTimeoutMs;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0))
    throw new InvalidOptionsError("gcs: stateStoreTimeoutMs must be a positive number of milliseconds");
  const leaseMs = options.tokenLeaseMs ?? 10_000;
  if (!(Number.isFinite(leaseMs) && leaseMs >= 1))
    throw new InvalidOptionsError("gcs: tokenLeaseMs must be a positive number of milliseconds");
  // The scopes are part of whose token it is: a read-only token must not serve an upload.
  const identity = JSON.stringify([named ?? "", [...scopes].sort()]);
  return { store, sealKey, identity, timeoutMs, leaseMs: Math.ceil(leaseMs) };
}
