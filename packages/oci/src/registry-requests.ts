import type { Context, HttpHeaders, HttpRequest, HttpResponse, Next } from "@switchyard/core";
import { pluginChannel, publishScrubbed, redactUrl, withoutCrossOriginSecrets } from "@switchyard/core";
import type { OciMissing, RegistryErrorEntry } from "./errors.ts";
import { OciAuthError, OciNotFoundError, OciRegistryError } from "./errors.ts";
import type { OciReference } from "./oci-reference.ts";
import { readRegistryErrors } from "./read-body.ts";
import type { Authorization, AuthTarget } from "./registry-auth.ts";
import { RegistryAuth, registerSecrets, scrub } from "./registry-auth.ts";

const redirectChannel = pluginChannel("oci", "redirect");
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** One `oci://` call being served: the caller's request and what it resolved to. */
export interface RegistryCall {
  readonly request: HttpRequest;
  readonly next: Next;
  readonly context: Context;
  readonly ref: OciReference;
  /** `https://host:port` (or `http:` for insecure registries). */
  readonly origin: string;
  readonly target: AuthTarget;
  /** `Authorization` set by the caller: sent to the registry's origin as is, never replaced. */
  readonly explicit: string | undefined;
}

/** A registry response and how it was obtained. */
export interface Sent {
  readonly res: HttpResponse;
  readonly auth: Authorization | undefined;
  /** The registry errors of a 401 whose body was already read. */
  readonly errors?: RegistryErrorEntry[] | undefined;
  /** The URL that answered (after redirects). */
  readonly url: string;
  readonly redirected: boolean;
}

/** Sends the plugin's registry requests through the inner chain. */
export interface RegistryRequests {
  /**
   * One authorized request to the registry, retried once with a new authorization when a 401 says
   * the token is invalid or lacks scope, then redirects followed (credentials kept on the
   * registry's origin only).
   */
  send(call: RegistryCall, url: string, method: string, headers: HttpHeaders): Promise<Sent>;
  /** Turns a failed response into the typed error it deserves (and throws it). */
  fail(call: RegistryCall, sent: Sent, method: string, what: OciMissing, reference: string): Promise<never>;
}

/** The registry request plumbing over `auth`, following at most `maxRedirects` redirects. */
export function registryRequests(auth: RegistryAuth, maxRedirects: number): RegistryRequests {
  function derive(call: RegistryCall, url: string, method: string, headers: HttpHeaders): HttpRequest {
    return call.request.with({ url, method, headers, body: null, redirect: "manual" });
  }

  function withAuth(headers: HttpHeaders, header: string | undefined): HttpHeaders {
    return header === undefined ? headers : headers.set("authorization", header);
  }

  // One request to the registry's origin, authorized; a 401 that says the token is invalid or
  // lacks scope (or that the registry now wants credentials) gets one new authorization and retry.
  async function sendAuthorized(
    call: RegistryCall,
    url: string,
    method: string,
    headers: HttpHeaders,
  ): Promise<Sent> {
    if (call.explicit !== undefined) {
      const res = await call.next(derive(call, url, method, headers.set("authorization", call.explicit)));
      return { res, auth: undefined, url, redirected: false };
    }
    const first = await auth.authorize(call.target);
    registerSecrets(call.context, first);
    const res = await call.next(derive(call, url, method, withAuth(headers, first.header)));
    if (res.status !== 401) return { res, auth: first, url, redirected: false };
    const challenge = RegistryAuth.challengeOf(res);
    const errors = await readRegistryErrors(res);
    const rejected =
      challenge?.kind === "bearer" &&
      (challenge.error === "invalid_token" || challenge.error === "insufficient_scope");
    const worthRetry =
      challenge !== undefined &&
      (rejected || first.kind === "none" || (challenge.kind === "bearer" && first.kind !== "bearer"));
    if (!worthRetry) return { res, auth: first, errors, url, redirected: false };
    auth.dropToken(first.cacheKey);
    const again = await auth.authorize(call.target, challenge);
    registerSecrets(call.context, again);
    if (again.header === undefined || again.header === first.header) {
      return { res, auth: again, errors, url, redirected: false };
    }
    const retried = await call.next(derive(call, url, method, withAuth(headers, again.header)));
    return { res: retried, auth: again, url, redirected: false };
  }

  // sendAuthorized, then redirects (blob storage, CDNs): same-origin hops keep the credentials,
  // a hop to another origin is sent without them.
  async function sendFollowing(
    call: RegistryCall,
    url: string,
    method: string,
    headers: HttpHeaders,
  ): Promise<Sent> {
    let sent = await sendAuthorized(call, url, method, headers);
    let hops = 0;
    let current = url;
    let crossed = false;
    while (REDIRECTS.has(sent.res.status) && sent.res.headers.has("location")) {
      const location = sent.res.headers.get("location") ?? "";
      await sent.res.discard();
      if (hops >= maxRedirects) {
        throw new OciRegistryError(`more than ${maxRedirects} redirects`, {
          method,
          url: redactUrl(current),
          context: call.context,
          status: sent.res.status,
        });
      }
      let target: URL;
      try {
        target = new URL(location, current);
        if (target.protocol !== "https:" && target.protocol !== "http:") throw new Error("not http(s)");
      } catch {
        throw new OciRegistryError(
          `the registry redirected to an unusable Location ${JSON.stringify(redactUrl(location).slice(0, 200))}`,
          {
            method,
            url: redactUrl(current),
            context: call.context,
            status: sent.res.status,
          },
        );
      }
      hops++;
      const sameOrigin = !crossed && target.origin === call.origin;
      if (redirectChannel.hasSubscribers) {
        publishScrubbed(redirectChannel, {
          from: redactUrl(current),
          to: redactUrl(target.href),
          status: sent.res.status,
          crossOrigin: !sameOrigin,
          context: call.context,
        });
      }
      current = target.href;
      if (sameOrigin) {
        sent = await sendAuthorized(call, current, method, headers);
      } else {
        // Once the request has left the registry's origin, credentials never follow it (core's one
        // cross-origin rule: every secret header, the caller's own secretHeaders, Host).
        crossed = true;
        const res = await call.next(
          derive(call, current, method, withoutCrossOriginSecrets(headers, call.context)),
        );
        sent = { res, auth: undefined, url: current, redirected: true };
      }
    }
    return { ...sent, url: current, redirected: hops > 0 };
  }

  async function failure(
    call: RegistryCall,
    sent: Sent,
    method: string,
    what: OciMissing,
    reference: string,
  ): Promise<never> {
    const { res } = sent;
    const raw = sent.errors ?? (await readRegistryErrors(res));
    const registryErrors = raw.map((e) => ({ ...e, message: scrub(e.message, sent.auth) }));
    const codes = new Set(registryErrors.map((e) => e.code));
    const repository = `${call.ref.registry}/${call.ref.repository}`;
    const where = {
      method,
      url: redactUrl(sent.url),
      context: call.context,
      status: res.status,
      registryErrors,
      repository,
      reference,
    };
    const named =
      what === "blob"
        ? `blob ${reference} in ${repository}`
        : `${repository}${reference.includes(":") ? "@" : ":"}${reference}`;
    if (res.status === 401 || res.status === 403) {
      // A credential the registry itself refused (Basic, or a ready bearer token) is reported to
      // the store; a token from an exchange that lacks access says nothing against the credential.
      const used = sent.auth;
      if (
        used?.credential !== undefined &&
        (used.kind === "basic" || (used.kind === "bearer" && used.cacheKey === undefined))
      ) {
        await auth.invalidate(call.target, used.credential);
      }
      const why =
        call.explicit !== undefined
          ? "the Authorization given with the request was refused"
          : sent.auth?.withheld
            ? sent.auth.withheld
            : sent.auth?.credential === undefined
              ? `anonymous access was refused; give credentials for ${call.ref.registry}`
              : "the credentials were refused";
      throw new OciAuthError(`access to ${named} was denied (${res.status}): ${why}`, where);
    }
    if (res.status === 404) {
      if (codes.has("NAME_UNKNOWN")) {
        throw new OciNotFoundError("repository", `repository ${repository} does not exist`, where);
      }
      const missing: OciMissing = codes.has("BLOB_UNKNOWN")
        ? "blob"
        : codes.has("MANIFEST_UNKNOWN")
          ? "manifest"
          : what;
      throw new OciNotFoundError(missing, `${missing} ${named} not found`, where);
    }
    throw new OciRegistryError(`the registry answered ${res.status} for ${what} ${named}`, where);
  }

  return { send: sendFollowing, fail: failure };
}
