import type { Context, CredentialStore, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import {
  type HttpHeaders,
  InvalidOptionsError,
  pluginChannel,
  redactUrl,
  servedByKey,
} from "@switchyard/core";
import { digestOf } from "./digest.ts";
import type { OciMissing, RegistryErrorEntry } from "./errors.ts";
import {
  DigestMismatchError,
  OciAuthError,
  OciManifestError,
  OciNotFoundError,
  OciReferenceError,
  OciRegistryError,
} from "./errors.ts";
import type { Descriptor } from "./manifest.ts";
import { MANIFEST_ACCEPT, parseManifest, selectLayer, selectManifest } from "./manifest.ts";
import type { OciReference } from "./oci-reference.ts";
import { describeReference, parseOciUrl, referenceOf } from "./oci-reference.ts";
import { readLimited, readRegistryErrors } from "./read-body.ts";
import type { Authorization, AuthTarget } from "./registry-auth.ts";
import { baseHeaders, RegistryAuth, scrub } from "./registry-auth.ts";
import type { LayerSelector, ManifestSelector } from "./selectors.ts";
import { parsePlatform } from "./selectors.ts";
import type { ExpectedBlob } from "./verify-digest.ts";
import { verifyStream } from "./verify-digest.ts";

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
}

const resolveChannel = pluginChannel("oci", "resolve");
const redirectChannel = pluginChannel("oci", "redirect");

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// rattler's way of saying which blob a conda package must be (the sha256 from repodata).
const EXPECTED_SHA256 = "x-expected-sha256";
// Headers of the caller that are not forwarded to the registry's blob endpoint.
const NOT_FORWARDED = ["authorization", "cookie", "host", EXPECTED_SHA256];
// An index may point at another index; real ones are one level deep.
const MAX_INDEX_DEPTH = 4;

interface Call {
  readonly request: HttpRequest;
  readonly next: Next;
  readonly context: Context;
  readonly ref: OciReference;
  readonly origin: string;
  readonly target: AuthTarget;
  /** `Authorization` set by the caller: sent to the registry's origin as is, never replaced. */
  readonly explicit: string | undefined;
}

interface Sent {
  readonly res: HttpResponse;
  readonly auth: Authorization | undefined;
  /** The registry errors of a 401 whose body was already read. */
  readonly errors?: RegistryErrorEntry[] | undefined;
  readonly url: string;
  readonly redirected: boolean;
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

function hasLayerSelector(s: LayerSelector): boolean {
  return s.mediaType !== undefined || s.title !== undefined;
}

function hasManifestSelector(s: ManifestSelector): boolean {
  return s.platform !== undefined || s.annotations !== undefined;
}

/**
 * Serves `oci://` URLs from OCI registries (stage `resolve`). Generic references
 * (`oci://registry/repo[:tag|@sha256:...]`, with `?title=`/`?mediaType=` to pick a layer and
 * `?platform=` to pick from an index) and rattler's conda mapping
 * (`oci://registry/channel/subdir/name-version-build.conda`, `.../repodata.json`) resolve to a
 * blob whose bytes are checked against their digest while they stream. The `/v2/` probe, the token
 * exchange, the manifest and blob requests all go through the inner chain, so `authorize` and
 * `send` plugins (auth, retry-after) see each of them.
 *
 * @example
 * const client = createClient({ middleware: [oci({ credentials: memoryStore })] });
 * const res = await client.request("oci://ghcr.io/org/artifacts/data:1.0?title=data.csv");
 * await pipeline(res.body, createWriteStream("data.csv")); // fails with DigestMismatchError on corrupt bytes
 */
export function oci(options: OciOptions = {}): Middleware {
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
  const auth = new RegistryAuth({ credentials: store, tokenCacheSize, defaultTokenLifetime });

  function derive(call: Call, url: string, method: string, headers: HttpHeaders): HttpRequest {
    return call.request.with({ url, method, headers, body: null, redirect: "manual" });
  }

  function withAuth(headers: HttpHeaders, header: string | undefined): HttpHeaders {
    return header === undefined ? headers : headers.set("authorization", header);
  }

  // One request to the registry's origin, authorized; a 401 that says the token is invalid or
  // lacks scope (or that the registry now wants credentials) gets one new authorization and retry.
  async function sendAuthorized(
    call: Call,
    url: string,
    method: string,
    headers: HttpHeaders,
  ): Promise<Sent> {
    if (call.explicit !== undefined) {
      const res = await call.next(derive(call, url, method, headers.set("authorization", call.explicit)));
      return { res, auth: undefined, url, redirected: false };
    }
    const first = await auth.authorize(call.target);
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
    if (again.header === undefined || again.header === first.header) {
      return { res, auth: again, errors, url, redirected: false };
    }
    const retried = await call.next(derive(call, url, method, withAuth(headers, again.header)));
    return { res: retried, auth: again, url, redirected: false };
  }

  // sendAuthorized, then redirects (blob storage, CDNs): same-origin hops keep the credentials,
  // a hop to another origin is sent without them.
  async function sendFollowing(call: Call, url: string, method: string, headers: HttpHeaders): Promise<Sent> {
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
        redirectChannel.publish({
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
        // Once the request has left the registry's origin, credentials never follow it.
        crossed = true;
        const res = await call.next(derive(call, current, method, headers.delete("authorization", "cookie")));
        sent = { res, auth: undefined, url: current, redirected: true };
      }
    }
    return { ...sent, url: current, redirected: hops > 0 };
  }

  async function failure(
    call: Call,
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

  async function fetchManifest(call: Call, reference: string, expected: string | undefined) {
    const { ref, origin } = call;
    const url = `${origin}/v2/${ref.repository}/manifests/${reference}`;
    const sent = await sendFollowing(call, url, "GET", baseHeaders(call.request, MANIFEST_ACCEPT));
    if (sent.res.status !== 200) return failure(call, sent, "GET", "manifest", reference);
    const where = { method: "GET", url: redactUrl(sent.url), context: call.context };
    const bytes = await readLimited(sent.res, maxManifestBytes);
    if (bytes === undefined) {
      throw new OciManifestError(
        `the manifest of ${describeReference(ref)} is larger than ${maxManifestBytes} bytes`,
        where,
      );
    }
    if (expected !== undefined) {
      const actual = digestOf(bytes, expected);
      if (actual !== expected) {
        throw new DigestMismatchError(
          { expected, actual, reason: "digest", expectedSize: undefined, actualSize: bytes.length },
          where,
        );
      }
    }
    const parsed = parseManifest(bytes.toString("utf8"), sent.res.headers.get("content-type"));
    if (!parsed.ok) throw new OciManifestError(`${describeReference(ref)}: ${parsed.reason}`, where);
    return { document: parsed.document, where };
  }

  // Manifest (and index) to the layer's descriptor.
  async function resolveLayer(call: Call, start: string): Promise<Descriptor> {
    const { ref } = call;
    let reference = start;
    let expected = start.includes(":") ? start : undefined;
    const layerSelector = ref.form === "conda" || hasLayerSelector(ref.layer) ? ref.layer : defaultLayer;
    const manifestSelector = hasManifestSelector(ref.manifest) ? ref.manifest : defaultManifest;
    for (let depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
      const { document, where } = await fetchManifest(call, reference, expected);
      if (document.kind === "manifest") {
        const chosen = selectLayer(document, layerSelector);
        if (chosen.ok) return chosen.descriptor;
        const message = `${describeReference(ref)}: ${chosen.message}`;
        if (chosen.reason === "ambiguous") throw new OciManifestError(message, where);
        throw new OciNotFoundError("layer", message, {
          ...where,
          repository: `${ref.registry}/${ref.repository}`,
          reference,
        });
      }
      const chosen = selectManifest(document, manifestSelector);
      if (!chosen.ok) {
        const message = `${describeReference(ref)}: ${chosen.message}`;
        if (chosen.reason === "ambiguous") throw new OciManifestError(message, where);
        throw new OciNotFoundError("manifest", message, {
          ...where,
          repository: `${ref.registry}/${ref.repository}`,
          reference,
        });
      }
      reference = chosen.descriptor.digest;
      expected = reference;
    }
    throw new OciManifestError(
      `${describeReference(ref)}: indexes nested more than ${MAX_INDEX_DEPTH} deep`,
      {
        context: call.context,
      },
    );
  }

  // The blob, or "missing" on 404 when the caller has a fallback.
  async function fetchBlob(
    call: Call,
    expected: ExpectedBlob,
    missingOk: boolean,
  ): Promise<HttpResponse | "missing"> {
    const { ref, origin, request } = call;
    const method = request.method;
    const url = `${origin}/v2/${ref.repository}/blobs/${expected.digest}`;
    const sent = await sendFollowing(call, url, method, request.headers.delete(...NOT_FORWARDED));
    const { res } = sent;
    if (res.status === 404 && missingOk) {
      await res.discard();
      return "missing";
    }
    if (res.status === 200) {
      const response = sent.redirected ? res.with({ redirected: true }) : res;
      if (method === "HEAD") return response;
      return response.with({
        body: verifyStream(res.body, expected, { method, url: redactUrl(sent.url), context: call.context }),
      });
    }
    // 206 (the caller's Range) and 304 (its conditionals) cannot be checked against the digest.
    if (res.status === 206 || res.status === 304) return res;
    return failure(call, sent, method, "blob", expected.digest);
  }

  function publishResolve(call: Call, descriptor: ExpectedBlob, via: "digest" | "manifest"): void {
    if (!resolveChannel.hasSubscribers) return;
    resolveChannel.publish({
      registry: call.ref.registry,
      repository: call.ref.repository,
      reference: referenceOf(call.ref),
      digest: descriptor.digest,
      size: descriptor.size,
      via,
      context: call.context,
    });
  }

  async function resolve(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") {
      throw new OciReferenceError("oci: URLs serve GET and HEAD only; push with a registry client", {
        method,
        url: redactUrl(request.url),
      });
    }
    let ref: OciReference;
    try {
      ref = parseOciUrl(request.url);
    } catch (error) {
      if (error instanceof OciReferenceError) {
        throw new OciReferenceError(error.message, { method, url: redactUrl(request.url), cause: error });
      }
      throw error;
    }
    const origin = `${isInsecure(ref.registry) ? "http" : "https"}://${ref.registry}`;
    const explicit = request.headers.get("authorization");
    const call: Call = {
      request,
      next,
      context,
      ref,
      origin,
      explicit,
      target: { origin, registry: ref.registry, repository: ref.repository, request, next, context },
    };
    context.set(servedByKey, { kind: "registry", url: redactUrl(`${origin}/${ref.repository}`) });

    // A digest known up front (the URL's @digest with no layer selector, or rattler's
    // X-Expected-Sha256 on a conda URL) goes straight to the blob.
    const header = request.headers.get(EXPECTED_SHA256)?.trim().toLowerCase();
    if (header !== undefined && !/^[a-f0-9]{64}$/.test(header)) {
      throw new OciReferenceError(`${EXPECTED_SHA256} must be 64 hex digits`, {
        method,
        url: redactUrl(request.url),
      });
    }
    const expectedFromHeader = header === undefined ? undefined : `sha256:${header}`;
    const direct =
      expectedFromHeader ??
      (ref.digest !== undefined && !hasLayerSelector(ref.layer) && !hasManifestSelector(ref.manifest)
        ? ref.digest
        : undefined);
    if (direct !== undefined) {
      const blob = await fetchBlob(call, { digest: direct }, true);
      if (blob !== "missing") {
        publishResolve(call, { digest: direct }, "digest");
        return blob;
      }
    }
    let descriptor: Descriptor;
    try {
      descriptor = await resolveLayer(call, referenceOf(ref));
    } catch (error) {
      if (direct !== undefined && error instanceof OciNotFoundError && error.missing === "manifest") {
        throw new OciNotFoundError(
          "blob",
          `neither a blob nor a manifest ${direct} exists in ${ref.registry}/${ref.repository}`,
          {
            method,
            url: redactUrl(request.url),
            context,
            repository: `${ref.registry}/${ref.repository}`,
            reference: direct,
            registryErrors: error.registryErrors,
            cause: error,
          },
        );
      }
      throw error;
    }
    if (expectedFromHeader !== undefined && descriptor.digest !== expectedFromHeader) {
      throw new DigestMismatchError(
        {
          expected: expectedFromHeader,
          actual: descriptor.digest,
          reason: "digest",
          expectedSize: undefined,
          actualSize: descriptor.size,
        },
        { method, url: redactUrl(request.url), context },
      );
    }
    publishResolve(call, descriptor, "manifest");
    const blob = await fetchBlob(call, { digest: descriptor.digest, size: descriptor.size }, false);
    return blob as HttpResponse;
  }

  return {
    name: "oci",
    stage: "resolve",
    handle(request, next, context) {
      if (!request.url.startsWith("oci:")) return next(request);
      return resolve(request, next, context);
    },
  };
}
