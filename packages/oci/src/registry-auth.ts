import { createHash } from "node:crypto";
import type { Context, Credential, CredentialStore, HttpRequest, HttpResponse, Next } from "@switchyard/core";
import { credentialKey, pluginChannel, publishScrubbed, redactSecrets, redactUrl } from "@switchyard/core";
import { OciAuthError, OciRegistryError } from "./errors.ts";
import { readRegistryErrors } from "./read-body.ts";
import { baseHeaders, basicHeader, insecureReason } from "./request-headers.ts";
import type { SharedTokens } from "./shared-tokens.ts";
import { TokenCache, tokenExpiry } from "./token-cache.ts";
import { exchangeToken } from "./token-exchange.ts";
import type { AuthChallenge } from "./www-authenticate.ts";
import { findChallenge, parseWwwAuthenticate } from "./www-authenticate.ts";

/** How a registry wants to be authenticated, learnt from `GET /v2/` or a 401. */
export type HostAuth =
  | { readonly kind: "none" }
  | { readonly kind: "basic"; readonly realm: string | undefined }
  | {
      readonly kind: "bearer";
      readonly realm: string;
      readonly service: string | undefined;
      readonly scope: string | undefined;
      readonly error: string | undefined;
    };

/** The registry request being authorized. */
export interface AuthTarget {
  /** `https://host:port` (or `http:` for insecure registries). */
  readonly origin: string;
  /** `host:port`, for messages and events. */
  readonly registry: string;
  readonly repository: string;
  /** The caller's request: derived requests keep its signal and timeouts. */
  readonly request: HttpRequest;
  readonly next: Next;
  readonly context: Context;
}

/** What to put on registry requests, and what was sent (to react to a 401). */
export interface Authorization {
  /** The `Authorization` value, or undefined for anonymous requests. */
  readonly header: string | undefined;
  readonly kind: "none" | "basic" | "bearer";
  /** The token cache key, for bearer tokens from an exchange. */
  readonly cacheKey?: string | undefined;
  /** The credential used, for `CredentialStore.invalidate`. */
  readonly credential?: Credential | undefined;
  /** Why credentials were held back (plain http without `allowInsecureHttp`), if they were. */
  readonly withheld?: string | undefined;
}

/** Options of {@link RegistryAuth}. */
export interface RegistryAuthOptions {
  readonly credentials: CredentialStore | undefined;
  readonly tokenCacheSize: number;
  /** Seconds a token lives when the token endpoint gives no `expires_in`. */
  readonly defaultTokenLifetime: number;
  /** Tokens shared with the fleet through a state store (sealed), if configured. */
  readonly shared?: SharedTokens | undefined;
}

const probeChannel = pluginChannel("oci", "probe");

// Bounds the remembered challenges: one per registry host a process talks to.
const MAX_HOSTS = 1024;

function toHostAuth(challenges: readonly AuthChallenge[]): HostAuth | undefined {
  const bearer = findChallenge(challenges, "bearer");
  if (bearer?.params.realm) {
    return {
      kind: "bearer",
      realm: bearer.params.realm,
      service: bearer.params.service,
      scope: bearer.params.scope,
      error: bearer.params.error,
    };
  }
  const basic = findChallenge(challenges, "basic");
  if (basic) return { kind: "basic", realm: basic.params.realm };
  return undefined;
}

/** A short, non-reversible tag of a credential, to keep tokens of different users apart. */
function credentialId(credential: Credential | undefined): string {
  if (credential?.kind !== "basic") return "anonymous";
  return createHash("sha256")
    .update(`${credential.username}\0${credential.password}`)
    .digest("base64url")
    .slice(0, 16);
}

/**
 * The registry side of authentication: remembers each host's challenge (probing `GET /v2/` once),
 * exchanges credentials for bearer tokens at the challenge's realm and caches them per registry
 * and scope until they expire. Every request it makes goes through `next`, the inner chain.
 */
export class RegistryAuth {
  readonly #options: RegistryAuthOptions;
  readonly #hosts = new Map<string, Promise<HostAuth>>();
  readonly #tokens: TokenCache;
  readonly #inflight = new Map<string, Promise<Authorization>>();

  constructor(options: RegistryAuthOptions) {
    this.#options = options;
    this.#tokens = new TokenCache(options.tokenCacheSize);
  }

  /** Number of cached tokens (for tests and introspection). */
  get cachedTokens(): number {
    return this.#tokens.size;
  }

  /**
   * The authorization for a request to `target`: from the remembered challenge (probing once per
   * host), a cached token or a fresh exchange. `challenge` (from a 401) replaces the remembered
   * one and forces a new exchange.
   */
  async authorize(target: AuthTarget, challenge?: HostAuth): Promise<Authorization> {
    let host: HostAuth;
    if (challenge !== undefined) {
      host = challenge;
      // The host's scheme and realm are remembered; the scope and error belong to this request.
      const remembered: HostAuth =
        challenge.kind === "bearer" ? { ...challenge, scope: undefined, error: undefined } : challenge;
      this.#remember(target.origin, Promise.resolve(remembered));
    } else {
      host = await this.#hostAuth(target);
    }
    if (host.kind === "none") return { header: undefined, kind: "none" };
    const credential = await this.#credential(target);
    if (credential?.kind === "bearer") {
      // A ready token (a personal access token, say): sent as is, no exchange.
      const withheld = insecureReason(target.origin, credential);
      if (withheld) return { header: undefined, kind: "none", withheld };
      return { header: `Bearer ${credential.token}`, kind: "bearer", credential };
    }
    const basic = credential?.kind === "basic" ? credential : undefined;
    if (host.kind === "basic") {
      if (basic === undefined) return { header: undefined, kind: "none" };
      const withheld = insecureReason(target.origin, basic);
      if (withheld) return { header: undefined, kind: "none", withheld };
      return { header: basicHeader(basic.username, basic.password), kind: "basic", credential: basic };
    }
    const scope = host.scope ?? `repository:${target.repository}:pull`;
    const key = [target.origin, host.realm, host.service ?? "", scope, credentialId(basic)].join(" ");
    const fresh = challenge !== undefined;
    if (fresh) this.#tokens.delete(key);
    else {
      const token = this.#tokens.get(key, Date.now());
      if (token !== undefined)
        return { header: `Bearer ${token}`, kind: "bearer", cacheKey: key, credential: basic };
    }
    // One exchange per key at a time: concurrent requests share it (and, with a shared store,
    // the fleet's processes share one too).
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      let withheld: string | undefined;
      const exchange = () =>
        exchangeToken({
          target,
          host,
          scope,
          basic,
          reason: fresh ? "rejected" : "missing",
          defaultLifetime: this.#options.defaultTokenLifetime,
          onRefused: () => this.invalidate(target, basic),
        }).then((answer) => {
          withheld = answer.withheld;
          return { token: answer.token, expiresAt: tokenExpiry(Date.now(), answer.expiresIn) };
        });
      const shared = this.#options.shared;
      pending = (shared === undefined ? exchange() : shared.get(key, fresh, exchange))
        .then(({ token, expiresAt }): Authorization => {
          this.#tokens.set(key, token, expiresAt);
          return { header: `Bearer ${token}`, kind: "bearer", cacheKey: key, credential: basic, withheld };
        })
        .finally(() => {
          this.#inflight.delete(key);
        });
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  /** Forgets a token the registry refused. */
  dropToken(key: string | undefined): void {
    if (key !== undefined) this.#tokens.delete(key);
  }

  /** Tells the credential store that a credential was refused, so refreshable ones renew. */
  async invalidate(target: AuthTarget, credential: Credential | undefined): Promise<void> {
    if (credential === undefined || target.context.get(credentialKey) === credential) return;
    try {
      await this.#options.credentials?.invalidate?.(storeUrl(target), credential);
    } catch {
      // A store that fails to invalidate must not hide the authentication error.
    }
  }

  /** Parses the challenge of a 401 response into what {@link authorize} takes. */
  static challengeOf(response: HttpResponse): HostAuth | undefined {
    return toHostAuth(parseWwwAuthenticate(response.headers.getAll("www-authenticate")));
  }

  #remember(origin: string, value: Promise<HostAuth>): void {
    this.#hosts.delete(origin);
    this.#hosts.set(origin, value);
    while (this.#hosts.size > MAX_HOSTS) this.#hosts.delete(this.#hosts.keys().next().value as string);
  }

  #hostAuth(target: AuthTarget): Promise<HostAuth> {
    let known = this.#hosts.get(target.origin);
    if (known === undefined) {
      known = this.#probe(target);
      this.#remember(target.origin, known);
      // A failed probe is not remembered: the next request probes again.
      known.catch(() => {
        if (this.#hosts.get(target.origin) === known) this.#hosts.delete(target.origin);
      });
    }
    return known;
  }

  async #probe(target: AuthTarget): Promise<HostAuth> {
    const url = `${target.origin}/v2/`;
    const res = await target.next(
      target.request.with({
        url,
        method: "GET",
        headers: baseHeaders(target.request, "application/json"),
        body: null,
        redirect: "manual",
      }),
    );
    let host: HostAuth | undefined;
    if (res.status >= 200 && res.status < 300) host = { kind: "none" };
    else if (res.status === 401) host = RegistryAuth.challengeOf(res);
    const errors = res.ok ? [] : await readRegistryErrors(res);
    if (res.ok) await res.discard();
    if (probeChannel.hasSubscribers) {
      publishScrubbed(probeChannel, {
        registry: target.registry,
        status: res.status,
        scheme: host?.kind,
        context: target.context,
      });
    }
    if (host !== undefined) return host;
    const where = {
      method: "GET",
      url: redactUrl(url),
      context: target.context,
      status: res.status,
      registryErrors: errors,
    };
    if (res.status === 401) {
      throw new OciAuthError(
        `the registry asks for an authentication scheme this plugin does not speak (${JSON.stringify(res.headers.get("www-authenticate")?.slice(0, 80) ?? "")}); it supports Bearer and Basic`,
        where,
      );
    }
    throw new OciRegistryError(
      `the registry's API check answered ${res.status}; is ${target.registry} an OCI registry (and is https right for it)?`,
      where,
    );
  }

  async #credential(target: AuthTarget): Promise<Credential | undefined> {
    const perCall = target.context.get(credentialKey);
    const store = this.#options.credentials;
    const credential = perCall ?? (store === undefined ? undefined : await store.get(storeUrl(target)));
    // Known to the call before anything fails: an error built from a cached challenge (echoed by
    // the registry on an earlier call) may quote it before this call sends a thing.
    if (credential?.kind === "basic")
      target.context
        .addSecret(credential.password)
        .addSecret(Buffer.from(`${credential.username}:${credential.password}`).toString("base64"));
    else if (credential?.kind === "bearer") target.context.addSecret(credential.token);
    return credential;
  }
}

/** The URL the credential store is asked about: the repository on the registry's origin. */
export function storeUrl(target: { origin: string; repository: string }): string {
  return `${target.origin}/${target.repository}`;
}

/**
 * Registers the secrets of `authorization` (the token or the Basic pair and password) with the
 * call's context, so core scrubs every error and event of the call of them.
 */
export function registerSecrets(context: Context, authorization: Authorization | undefined): void {
  const header = authorization?.header;
  if (header) context.addSecret(header.slice(header.indexOf(" ") + 1));
  const credential = authorization?.credential;
  if (credential?.kind === "basic") context.addSecret(credential.password);
  if (credential?.kind === "bearer") context.addSecret(credential.token);
}

/** Removes every known secret from a text (tokens and passwords of this call). */
export function scrub(text: string, authorization: Authorization | undefined): string {
  const secrets: string[] = [];
  const header = authorization?.header;
  if (header) secrets.push(header.slice(header.indexOf(" ") + 1));
  const credential = authorization?.credential;
  if (credential?.kind === "basic") secrets.push(credential.password);
  if (credential?.kind === "bearer") secrets.push(credential.token);
  return redactSecrets(text, secrets);
}
