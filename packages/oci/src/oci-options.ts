import type { CredentialStore, StateStore } from "@switchyard/core";
import { checkSealKey, checkStore, InvalidOptionsError } from "@switchyard/core";
import type { LayerSelector, ManifestSelector } from "./selectors.ts";
import { parsePlatform } from "./selectors.ts";

/** Options of {@link oci}. */
export interface OciOptions {
  /**
   * Where credentials come from, asked with `https://<registry>/<repository>`: a `basic`
   * credential is exchanged for a token at the registry's token endpoint (or sent directly to a
   * Basic registry); a `bearer` one is sent as is. A per-call `credentialKey` in the context
   * wins; an `Authorization` header on the request wins over both.
   * @default undefined (anonymous)
   */
  readonly credentials?: CredentialStore | undefined;
  /**
   * Registries reached over plain `http:`: `host:port` entries (a bare `host` matches every port)
   * or a predicate on `host[:port]`. Credentials still go over http only when the credential
   * says `allowInsecureHttp`.
   * @default [] (https everywhere)
   */
  readonly insecureRegistries?: readonly string[] | ((registry: string) => boolean) | undefined;
  /**
   * The layer to take from a generic `oci://` reference whose URL has no `mediaType=`/`title=`
   * selector. Without either, a manifest must have exactly one layer.
   * @default {}
   */
  readonly layer?: LayerSelector | undefined;
  /**
   * The platform (`os/arch[/variant]`) to pick from an index when the URL has no `platform=` or
   * `annotation.*=` selector. Without it, an index must list exactly one manifest.
   * @default undefined
   */
  readonly platform?: string | undefined;
  /** Most bearer tokens kept (least recently used go first). @default 256 */
  readonly tokenCacheSize?: number | undefined;
  /** Seconds a token lives when the token endpoint omits `expires_in` (distribution spec). @default 60 */
  readonly defaultTokenLifetime?: number | undefined;
  /** Largest manifest read, in bytes (the distribution spec's own limit). @default 4194304 */
  readonly maxManifestBytes?: number | undefined;
  /** Most redirects followed per manifest or blob request (blob storage, CDNs). @default 5 */
  readonly maxRedirects?: number | undefined;
  /**
   * A state store shared with other processes (`sqliteStore()`, `redisStore()`): one token
   * exchange per registry, scope and credential per expiry for the whole fleet. Shared: bearer
   * tokens from exchanges, sealed with `sealKey` (AES-256-GCM) under keys that hash the registry,
   * scope and credential identity, and a short exchange lease. Requires `sealKey`: tokens are
   * never shared in the clear.
   * @default undefined (tokens stay in this process)
   */
  readonly stateStore?: StateStore | undefined;
  /**
   * 32 random bytes (or their base64) that seal tokens in `stateStore`; every process of the fleet
   * needs the same key. `openssl rand -base64 32`.
   * @default undefined
   */
  readonly sealKey?: Uint8Array | string | undefined;
  /** Longest wait for one state-store operation before falling back to this process. @default 50 */
  readonly stateStoreTimeoutMs?: number | undefined;
}

/** {@link OciOptions} checked, with their defaults filled in. */
export interface ResolvedOciOptions {
  readonly store: CredentialStore | undefined;
  readonly isInsecure: (registry: string) => boolean;
  readonly defaultLayer: LayerSelector;
  readonly defaultManifest: ManifestSelector;
  readonly tokenCacheSize: number;
  readonly defaultTokenLifetime: number;
  readonly maxManifestBytes: number;
  readonly maxRedirects: number;
  readonly stateStore: StateStore | undefined;
  readonly sealKey: Uint8Array | undefined;
  readonly stateStoreTimeoutMs: number | undefined;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionsError(`oci: ${name} must be an integer >= 0, got ${String(value)}`);
  }
  return value;
}

function insecurePredicate(option: OciOptions["insecureRegistries"]): (registry: string) => boolean {
  if (option === undefined) return () => false;
  if (typeof option === "function") return option;
  if (!Array.isArray(option) || option.some((e) => typeof e !== "string" || e === "")) {
    throw new InvalidOptionsError(
      "oci: insecureRegistries must be an array of host[:port] strings or a function",
    );
  }
  const exact = new Set(option.map((e) => e.toLowerCase()));
  return (registry) => {
    if (exact.has(registry)) return true;
    // A bare host matches every port of it; "[::1]:5000" keeps its brackets.
    const host = registry.replace(/:\d+$/, "");
    return exact.has(host);
  };
}

/** Checks `options` and fills in the defaults; throws InvalidOptionsError naming the bad one. */
export function resolveOciOptions(options: OciOptions): ResolvedOciOptions {
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionsError("oci: options must be an object");
  const store = options.credentials;
  if (store !== undefined && (typeof store !== "object" || typeof store.get !== "function")) {
    throw new InvalidOptionsError("oci: credentials must be a CredentialStore (an object with get(url))");
  }
  const isInsecure = insecurePredicate(options.insecureRegistries);
  const defaultLayer: LayerSelector = options.layer ?? {};
  if (typeof defaultLayer !== "object" || defaultLayer === null) {
    throw new InvalidOptionsError("oci: layer must be an object { mediaType?, title? }");
  }
  let defaultManifest: ManifestSelector = {};
  if (options.platform !== undefined) {
    const platform = typeof options.platform === "string" ? parsePlatform(options.platform) : undefined;
    if (platform === undefined) {
      throw new InvalidOptionsError(
        `oci: platform must be "os/arch[/variant]", got ${String(options.platform)}`,
      );
    }
    defaultManifest = { platform };
  }
  const tokenCacheSize = positiveInteger("tokenCacheSize", options.tokenCacheSize, 256);
  const defaultTokenLifetime = positiveInteger("defaultTokenLifetime", options.defaultTokenLifetime, 60);
  if (defaultTokenLifetime === 0) throw new InvalidOptionsError("oci: defaultTokenLifetime must be > 0");
  const maxManifestBytes = positiveInteger("maxManifestBytes", options.maxManifestBytes, 4 * 1024 * 1024);
  const maxRedirects = positiveInteger("maxRedirects", options.maxRedirects, 5);
  const stateStore =
    options.stateStore === undefined ? undefined : checkStore(options.stateStore, "oci: stateStore");
  if (stateStore !== undefined && options.sealKey === undefined) {
    throw new InvalidOptionsError(
      "oci: stateStore shares registry tokens, which are secrets: pass sealKey (32 random bytes, the same in every process) so they are stored encrypted, or leave stateStore out to keep tokens in this process",
    );
  }
  const sealKey = options.sealKey === undefined ? undefined : checkSealKey(options.sealKey, "oci: sealKey");
  return {
    stateStore,
    sealKey,
    stateStoreTimeoutMs: options.stateStoreTimeoutMs,
    store,
    isInsecure,
    defaultLayer,
    defaultManifest,
    tokenCacheSize,
    defaultTokenLifetime,
    maxManifestBytes,
    maxRedirects,
  };
}
