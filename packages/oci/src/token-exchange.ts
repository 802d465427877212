import type { Credential } from "@switchyard/core";
import { pluginChannel, publishScrubbed, redactSecrets, redactUrl } from "@switchyard/core";
import { OciAuthError, OciRegistryError } from "./errors.ts";
import { readLimited, readRegistryErrors } from "./read-body.ts";
import type { AuthTarget, HostAuth } from "./registry-auth.ts";
import { baseHeaders, basicHeader, insecureReason } from "./request-headers.ts";

const tokenChannel = pluginChannel("oci", "token");

// Token answers are small JSON documents (a JWT with its certificate chain at most).
const TOKEN_BODY_LIMIT = 1024 * 1024;

/** What one token exchange needs. */
export interface TokenExchange {
  readonly target: AuthTarget;
  readonly host: Extract<HostAuth, { kind: "bearer" }>;
  /** `repository:<name>:pull`, or the scope a 401 asked for. */
  readonly scope: string;
  readonly basic: Extract<Credential, { kind: "basic" }> | undefined;
  /** Why: no token cached, or the registry refused the last one (for events). */
  readonly reason: "missing" | "rejected";
  /** Seconds a token lives when the answer has no `expires_in`. */
  readonly defaultLifetime: number;
  /** Called when the endpoint refuses credentials that were sent. */
  readonly onRefused: () => Promise<void>;
}

/** A token, how long it lives, and whether credentials were held back. */
export interface ExchangedToken {
  readonly token: string;
  readonly expiresIn: number;
  /** Why credentials were held back (plain http), if they were. */
  readonly withheld: string | undefined;
}

/** The token of a token endpoint answer (`token`, else `access_token`) and its `expires_in`. Pure. */
export function parseTokenAnswer(
  text: string,
  defaultLifetime: number,
): { token: string; expiresIn: number } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null) return undefined;
  const { token, access_token, expires_in } = json as Record<string, unknown>;
  const value =
    typeof token === "string" && token !== ""
      ? token
      : typeof access_token === "string" && access_token !== ""
        ? access_token
        : undefined;
  if (value === undefined) return undefined;
  // Distribution token spec: expires_in is optional and defaults to 60 seconds.
  const expiresIn =
    typeof expires_in === "number" && Number.isFinite(expires_in) && expires_in > 0
      ? expires_in
      : defaultLifetime;
  return { token: value, expiresIn };
}

function realmUrl(exchange: TokenExchange): URL {
  const { host, scope, target } = exchange;
  let realm: URL;
  try {
    realm = new URL(host.realm);
    if (realm.protocol !== "https:" && realm.protocol !== "http:") throw new Error("not http(s)");
  } catch {
    // Not quoted: the realm comes from a challenge that may be cached from an earlier call, so it
    // can echo credentials this call never registered.
    throw new OciAuthError(
      `the registry's challenge named a token realm that is not an http(s) URL (${host.realm.length} characters, not quoted)`,
      { context: target.context },
    );
  }
  if (host.service !== undefined) realm.searchParams.set("service", host.service);
  realm.searchParams.set("scope", scope);
  return realm;
}

/**
 * Exchanges credentials (or nothing) for a bearer token at the challenge's realm:
 * `GET <realm>?service=..&scope=..` through the inner chain (distribution token spec), Basic
 * credentials only over https or with `allowInsecureHttp`. Publishes `switchyard:oci:token`
 * (never the token).
 */
export async function exchangeToken(exchange: TokenExchange): Promise<ExchangedToken> {
  const { target, host, scope, basic, reason, defaultLifetime } = exchange;
  const realm = realmUrl(exchange);
  let headers = baseHeaders(target.request, "application/json");
  const withheld = basic ? insecureReason(realm.origin, basic) : undefined;
  const authenticated = basic !== undefined && withheld === undefined;
  if (basic && authenticated) {
    target.context.addSecret(basic.password);
    headers = headers.set("authorization", basicHeader(basic.username, basic.password));
  }
  const started = performance.now();
  const url = realm.href;
  const where = { method: "GET", url: redactUrl(url), context: target.context };
  const publish = (status: number, expiresIn: number | undefined): void => {
    if (!tokenChannel.hasSubscribers) return;
    publishScrubbed(tokenChannel, {
      registry: target.registry,
      realm: redactUrl(`${realm.origin}${realm.pathname}`),
      service: host.service,
      scope,
      authenticated,
      reason,
      status,
      expiresIn,
      durationMs: performance.now() - started,
      context: target.context,
    });
  };
  const res = await target.next(
    target.request.with({ url, method: "GET", headers, body: null, redirect: "manual" }),
  );
  if (!res.ok) {
    const registryErrors = (await readRegistryErrors(res)).map((e) => ({
      ...e,
      message: redactSecrets(e.message, [basic?.password]),
    }));
    publish(res.status, undefined);
    const failed = { ...where, status: res.status, registryErrors };
    if (res.status === 401 || res.status === 403) {
      if (authenticated) await exchange.onRefused();
      const who = authenticated
        ? `refused the credentials for ${target.registry}`
        : withheld
          ? `refused anonymous access (${withheld})`
          : `refused anonymous access; give credentials for ${target.registry} (a CredentialStore or a per-call credential)`;
      throw new OciAuthError(`the token endpoint ${who}`, failed);
    }
    throw new OciRegistryError(`the token endpoint answered ${res.status}`, failed);
  }
  const text = await readLimited(res, TOKEN_BODY_LIMIT);
  const answer = text === undefined ? undefined : parseTokenAnswer(text.toString("utf8"), defaultLifetime);
  publish(res.status, answer?.expiresIn);
  if (answer === undefined) {
    throw new OciAuthError(
      "the token endpoint answered without a token (no `token` or `access_token`)",
      where,
    );
  }
  return { token: answer.token, expiresIn: answer.expiresIn, withheld };
}
