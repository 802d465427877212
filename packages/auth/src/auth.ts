import type {
  Context,
  Credential,
  CredentialStore,
  HttpRequest,
  HttpResponse,
  Middleware,
  Next,
  UrlParts,
} from "@switchyard/core";
import { credentialKey, InvalidOptionsError, InvalidRequestError, isSwitchyardError } from "@switchyard/core";
import { planCredential } from "./apply-credential.ts";
import { CredentialExpiredError, CredentialStoreError, InsecureCredentialError } from "./errors.ts";
import { authChannels, publish } from "./events.ts";
import { insecurePolicy } from "./insecure-policy.ts";
import type { ComposedStore, ComposeStoresOptions } from "./stores/compose-stores.ts";
import { composeStores } from "./stores/compose-stores.ts";
import { httpAuthorityStart, outOfScopeCheck } from "./stores/store-scope.ts";
import { credentialProblem, credentialSecrets, sameCredential } from "./validate-credential.ts";

/** What to do with a stored credential for a plain-http URL that is not allowed to carry it. */
export type InsecureHttpAction = "skip" | "error";

/** Options of {@link auth}. */
export interface AuthOptions extends Omit<ComposeStoresOptions, "name"> {
  /** Where credentials come from, highest priority first. */
  readonly stores: readonly CredentialStore[];
  /**
   * Plain-http URLs that may carry credentials: `true` for all, or keys (`localhost:8080`,
   * `*.corp.internal`...) matched like store keys. A credential's own `allowInsecureHttp` also
   * allows it. @default false: credentials go over https only
   */
  readonly allowInsecureHttp?: boolean | readonly string[];
  /**
   * A stored credential found for a plain-http URL that may not carry it: `"skip"` sends the
   * request without it (and publishes `switchyard:auth:skipped`), `"error"` fails the call with
   * `InsecureCredentialError`. @default "skip"
   */
  readonly onInsecureHttp?: InsecureHttpAction;
  /**
   * On a 401 with a `WWW-Authenticate` challenge to a request that carried a stored credential:
   * invalidate it in its store, look it up again, and replay the request once when the store
   * produced a different credential and the body can be sent again. @default true
   */
  readonly replayOnChallenge?: boolean;
  /** The middleware's name. @default "auth" */
  readonly name?: string;
  /** The clock used for token expiry, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** The auth middleware, with the composite store it reads (hand it to oci, s3 or gcs). */
export interface AuthMiddleware extends Middleware {
  /** The stores combined in priority order, as one CredentialStore. */
  readonly store: ComposedStore;
}

const PER_CALL = "context";

/** What every applied/skipped event says. */
interface CredentialCheck {
  readonly method: string;
  readonly url: string;
  readonly store: string;
  readonly kind: Credential["kind"];
}

function hasUserinfo(url: UrlParts): boolean {
  return url.username !== "" || url.password !== "";
}

/**
 * Adds credentials from pluggable stores to each request (stage `authorize`, so after mirror and
 * scheme plugins have chosen the final URL). Never overwrites an `Authorization` already on the
 * request; sends credentials over https only unless allowed; a credential passed for the call
 * through `credentialKey` wins over every store but goes only to the call's first origin; on a
 * 401 challenge a refreshable credential is renewed and the request replayed once.
 *
 * @example
 * const client = createClient({
 *   middleware: [auth({ stores: [memoryStore({ "api.example.com": { kind: "bearer", token } }), fileStore(path)] })],
 * });
 */
export function auth(options: AuthOptions): AuthMiddleware {
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionsError("auth() needs { stores: [...] }");
  const name = options.name ?? "auth";
  if (typeof name !== "string" || name === "")
    throw new InvalidOptionsError("auth: name must be a non-empty string");
  const store = composeStores(options.stores, {
    name,
    ...(options.allowInsecureHttp === undefined ? {} : { allowInsecureHttp: options.allowInsecureHttp }),
    ...(options.missTtl === undefined ? {} : { missTtl: options.missTtl }),
    ...(options.maxCachedMisses === undefined ? {} : { maxCachedMisses: options.maxCachedMisses }),
  });
  const onInsecure = options.onInsecureHttp ?? "skip";
  if (onInsecure !== "skip" && onInsecure !== "error") {
    throw new InvalidOptionsError(
      `auth: onInsecureHttp must be "skip" or "error", got ${String(onInsecure)}`,
    );
  }
  const replay = options.replayOnChallenge ?? true;
  if (typeof replay !== "boolean") throw new InvalidOptionsError("auth: replayOnChallenge must be a boolean");
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new InvalidOptionsError("auth: now must be a function");
  const insecureAllowed = insecurePolicy(options.allowInsecureHttp);
  // The origin of the first request each call sent through this middleware: per-call credentials
  // go there only, so a redirect or failover to another origin never carries them.
  const firstOrigin = new WeakMap<Context, string>();
  // A request to a host no store holds a key for goes on at once (undefined: a store that cannot
  // list its keys, such as the OS keyring or one written elsewhere, so every request is looked up).
  const outOfScope = outOfScopeCheck(store.stores);

  const storeName = (credential: Credential, fromContext: boolean): string =>
    fromContext ? PER_CALL : (store.sourceOf(credential)?.name ?? name);

  /** The request with `credential` applied, or `undefined` to send it as it is. */
  const apply = (request: HttpRequest, credential: Credential, source: string): HttpRequest | undefined => {
    const url = request.parsedUrl;
    const check: CredentialCheck = {
      method: request.method,
      url: request.redactedUrl,
      store: source,
      kind: credential.kind,
    };
    if (url.protocol === "http:" && credential.allowInsecureHttp !== true && !insecureAllowed(url)) {
      if (onInsecure === "error") {
        throw new InsecureCredentialError(
          `the ${credential.kind} credential from store "${source}" is not sent over plain http; use https, or allow it with the credential's allowInsecureHttp or auth({ allowInsecureHttp })`,
          { method: request.method, url: request.redactedUrl },
        );
      }
      publish(authChannels.skipped, () => ({ ...check, reason: "insecure-http" }));
      return undefined;
    }
    if (credential.kind === "bearer" && credential.expiresAt !== undefined && credential.expiresAt <= now()) {
      throw new CredentialExpiredError(
        `the bearer token from store "${source}" expired at ${new Date(credential.expiresAt).toISOString()} and is not sent; log in again or use a store that refreshes it`,
        { method: request.method, url: request.redactedUrl },
      );
    }
    const plan = planCredential(url, (h) => request.headers.has(h), credential);
    if (plan.action === "none") {
      publish(authChannels.skipped, () => ({ ...check, reason: plan.reason }));
      return undefined;
    }
    publish(authChannels.applied, () => check);
    return plan.action === "url"
      ? request.with({ url: plan.url })
      : request.with({ headers: { [plan.name]: plan.value } });
  };

  const lookup = async (request: HttpRequest): Promise<Credential | undefined> => {
    try {
      return await store.get(request.url);
    } catch (error) {
      if (isSwitchyardError(error)) throw error;
      throw new CredentialStoreError(name, "the credential lookup failed", {
        method: request.method,
        url: request.redactedUrl,
        cause: error,
      });
    }
  };

  const send = async (
    request: HttpRequest,
    next: Next,
    credential: Credential,
    fromContext: boolean,
    context: Context,
  ): Promise<HttpResponse> => {
    const source = storeName(credential, fromContext);
    const authed = apply(request, credential, source);
    // Core scrubs every error and event of the call of what is registered here.
    if (authed !== undefined) for (const secret of credentialSecrets(credential)) context.addSecret(secret);
    const response = await next(authed ?? request);
    if (
      !replay ||
      fromContext ||
      authed === undefined ||
      response.status !== 401 ||
      !response.headers.has("www-authenticate")
    ) {
      return response;
    }
    const report = (outcome: string) =>
      publish(authChannels.challenge, () => ({
        method: request.method,
        url: request.redactedUrl,
        store: source,
        kind: credential.kind,
        outcome,
      }));
    const origin = store.sourceOf(credential);
    if (origin?.invalidate === undefined) {
      report("not-refreshable");
      return response;
    }
    await store.invalidate(request.url, credential);
    const fresh = await lookup(request);
    if (fresh === undefined || sameCredential(fresh, credential)) {
      report("unchanged");
      return response;
    }
    // The body holder is shared with the request that was just sent: a one-shot stream is used up.
    if (!request.isReplayable) {
      report("not-replayable");
      return response;
    }
    await response.discard();
    report("replayed");
    const again = apply(request, fresh, storeName(fresh, false));
    if (again !== undefined) for (const secret of credentialSecrets(fresh)) context.addSecret(secret);
    return next(again ?? request);
  };

  return {
    name,
    stage: "authorize",
    store,
    handle(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
      const url = request.url;
      const authority = httpAuthorityStart(url);
      if (authority === -1) return next(request);
      const perCall = context.get(credentialKey);
      if (perCall !== undefined) {
        const origin = request.origin;
        let first = firstOrigin.get(context);
        if (first === undefined) {
          first = origin;
          firstOrigin.set(context, first);
        }
        if (first === origin) {
          const problem = credentialProblem(perCall);
          if (problem !== undefined) {
            return Promise.reject(
              new InvalidRequestError(`the credential passed for this call is invalid: ${problem}`, {
                method: request.method,
                url: request.redactedUrl,
              }),
            );
          }
          return send(request, next, perCall, true, context);
        }
      }
      if (outOfScope?.(url, authority) === true) return next(request);
      // An Authorization or userinfo the caller set means the caller chose the credentials.
      if (request.headers.has("authorization") || hasUserinfo(request.urlParts)) return next(request);
      if (store.isKnownMiss(request.urlParts)) return next(request);
      return lookup(request).then((credential) =>
        credential === undefined ? next(request) : send(request, next, credential, false, context),
      );
    },
  };
}
