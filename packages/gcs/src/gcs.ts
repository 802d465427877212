import type { Context, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import {
  credentialKey,
  pluginChannel,
  publishScrubbed,
  redactSecrets,
  redactUrl,
  SharedTokens,
  servedByKey,
} from "@switchyard/core";
import { TokenCache } from "./auth/token-cache.ts";
import { READ_ONLY_SCOPE } from "./auth/token-provider.ts";
import { GcsError, GcsRequestError, GcsTokenError } from "./errors.ts";
import type { GcsConfig, GcsOptions } from "./gcs-options.ts";
import { normaliseOptions } from "./gcs-options.ts";
import { apiMethod, type GcsLocation, objectPath, parseGcsUrl } from "./gcs-url.ts";
import { encodeName } from "./object-name.ts";
import { parseGcsError, reasonForStatus } from "./parse-gcs-error.ts";

const requestChannel = pluginChannel("gcs", "request");
const errorChannel = pluginChannel("gcs", "error");

/** Methods `gs:` URLs support per API. */
export const GCS_METHODS: { readonly xml: readonly string[]; readonly json: readonly string[] } =
  Object.freeze({
    xml: Object.freeze(["GET", "HEAD", "PUT", "DELETE"]),
    json: Object.freeze(["GET", "PUT", "DELETE"]),
  });

const ERROR_BODY_LIMIT = 64 * 1024;

/** The token put on one request and where it came from. */
interface Bearer {
  readonly token: string;
  readonly cached: boolean;
}

interface Plan {
  readonly url: string;
  readonly method: string;
  readonly bucket: string | undefined;
  readonly object: string | undefined;
  readonly bucketUrl: string | undefined;
}

function planGs(request: HttpRequest, config: GcsConfig): Plan {
  const where = { method: request.method, url: request.redactedUrl };
  const parsed = parseGcsUrl(request.url);
  if (!parsed.ok)
    throw new GcsRequestError("invalid-url", `invalid ${request.scheme}: URL: ${parsed.detail}`, where);
  const allowed = GCS_METHODS[config.api];
  if (!allowed.includes(request.method))
    throw new GcsRequestError(
      "unsupported-method",
      `${request.scheme}: URLs on the ${config.api.toUpperCase()} API support ${allowed.join(", ")}, not ${request.method}`,
      where,
    );
  const location: GcsLocation = parsed.location;
  const base = config.endpoint.href.replace(/\/+$/, "");
  return {
    url: `${base}${objectPath(config.api, request.method, location)}`,
    method: apiMethod(config.api, request.method),
    bucket: location.bucket,
    object: location.object,
    bucketUrl: `${base}/${encodeName(location.bucket, false)}/`,
  };
}

/**
 * Serves `gs://bucket/object` and `gcs://bucket/object` URLs: each becomes a request to
 * `https://storage.googleapis.com/bucket/object` (or the configured endpoint) with a bearer
 * token from `auth`, cached until shortly before it expires and refreshed once for all
 * concurrent requests (and, with `stateStore` and `sealKey`, once for every process of a fleet).
 * GCS error answers become {@link GcsError}s unless `throwOnError: false`.
 *
 * @example
 * const client = createClient({ middleware: [gcs({ auth: serviceAccount(keyJson) })] });
 * const res = await client.request("gs://my-bucket/data/file.parquet");
 */
export function gcs(options: GcsOptions = {}): Middleware {
  const config = normaliseOptions(options);
  const sharing = config.sharing;
  const cache = config.auth
    ? new TokenCache(config.auth, {
        scopes: config.scopes,
        refreshBeforeMs: config.refreshBeforeMs,
        now: config.now,
        shared:
          sharing === undefined
            ? undefined
            : {
                tokens: new SharedTokens({
                  store: sharing.store,
                  sealKey: sharing.sealKey,
                  timeoutMs: sharing.timeoutMs,
                  leaseMs: sharing.leaseMs,
                  plugin: "gcs",
                  namespaces: { token: "gcs:token", lease: "gcs:fetch" },
                }),
                identity: sharing.identity,
              },
      })
    : undefined;
  const endpointOrigin = config.endpoint.origin;
  const readOnly = config.scopes.length === 1 && config.scopes[0] === READ_ONLY_SCOPE;

  async function bearer(
    context: Context,
    urls: readonly string[],
    where: { method: string; url: string },
  ): Promise<Bearer | undefined> {
    const now = config.now();
    const perCall = context.get(credentialKey);
    if (perCall?.kind === "bearer") {
      if (perCall.expiresAt !== undefined && perCall.expiresAt <= now)
        throw new GcsTokenError(
          "expired",
          "context",
          "the bearer credential passed for this call has expired",
          where,
        );
      return { token: perCall.token, cached: false };
    }
    if (config.store) {
      for (const url of urls) {
        const stored = await config.store.get(url);
        if (stored?.kind === "bearer" && (stored.expiresAt === undefined || stored.expiresAt > now))
          return { token: stored.token, cached: false };
      }
    }
    if (!cache) return undefined;
    try {
      return { token: await cache.get(), cached: true };
    } catch (error) {
      // One refresh failure is shared by every waiter; each gets its own error naming its call.
      if (error instanceof GcsTokenError)
        throw new GcsTokenError(error.problem, error.provider, error.detail, { ...where, cause: error });
      throw error;
    }
  }

  async function send(request: HttpRequest, next: Next, context: Context, plan: Plan): Promise<HttpResponse> {
    const where = { method: request.method, url: redactUrl(plan.url), context };
    if (plan.bucketUrl) context.set(servedByKey, { kind: "bucket", url: redactUrl(plan.bucketUrl) });
    const explicit = request.headers.has("authorization");
    const token = explicit ? undefined : await bearer(context, [plan.url, request.url], where);
    // Registered with the call so every error and event of it is scrubbed of it (core).
    if (token !== undefined) context.addSecret(token.token);
    const changes: Parameters<HttpRequest["with"]>[0] = {
      ...(plan.url === request.url ? {} : { url: plan.url }),
      ...(plan.method === request.method ? {} : { method: plan.method }),
      ...(token ? { headers: { authorization: `Bearer ${token.token}` } } : {}),
    };
    if (requestChannel.hasSubscribers)
      publishScrubbed(requestChannel, {
        method: request.method,
        url: where.url,
        bucket: plan.bucket,
        authorized: token !== undefined || explicit,
        context,
      });
    const response = await next(request.with(changes));
    if (!config.throwOnError || response.status < 400) return response;
    if (response.status === 401 && token?.cached) cache?.invalidate(token.token);
    const text = plan.method === "HEAD" ? undefined : await response.smallText(ERROR_BODY_LIMIT);
    if (text === undefined) await response.discard();
    const body = text === undefined ? undefined : parseGcsError(text);
    const reason = body?.reason ?? reasonForStatus(response.status);
    const gcsMessage =
      body?.message === undefined ? undefined : redactSecrets(body.message, [token?.token]).slice(0, 500);
    if (errorChannel.hasSubscribers)
      publishScrubbed(errorChannel, { ...where, status: response.status, reason });
    let hint = "";
    if (response.status === 401 && !token && !explicit)
      hint = " (the request was sent without a token: configure auth)";
    else if (response.status === 401) hint = " (the token was refused; the next request fetches a new one)";
    else if (response.status === 403 && readOnly && request.method !== "GET" && request.method !== "HEAD")
      hint =
        " (the token has the read-only scope; set scopes to the read_write scope for uploads and deletes)";
    return Promise.reject(
      new GcsError(
        { status: response.status, reason, gcsMessage, bucket: plan.bucket, object: plan.object },
        hint,
        where,
      ),
    );
  }

  return {
    name: "gcs",
    stage: "resolve",
    handle(request, next, context) {
      const url = request.url;
      if (url.startsWith("gs:") || url.startsWith("gcs:"))
        return send(request, next, context, planGs(request, config));
      if (config.authorizeEndpoint && request.origin === endpointOrigin)
        return send(request, next, context, {
          url,
          method: request.method,
          bucket: undefined,
          object: undefined,
          bucketUrl: undefined,
        });
      return next(request);
    },
  };
}
