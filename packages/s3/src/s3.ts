import type { Context, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import {
  attemptKey,
  pluginChannel,
  publishScrubbed,
  redactSecrets,
  redactUrl,
  servedByKey,
} from "@switchyard/core";
import { S3Error, S3RequestError } from "./errors.ts";
import { codeForStatus, parseS3ErrorXml } from "./parse-s3-error.ts";
import { describePayload } from "./payload.ts";
import { resolveTarget } from "./resolve-endpoint.ts";
import type { ResolvedKeys } from "./resolve-keys.ts";
import { resolveKeys } from "./resolve-keys.ts";
import { encodeKey, formatQuery, parseQuery, percentDecode } from "./s3-key.ts";
import type { BucketConfig, S3Config, S3Options } from "./s3-options.ts";
import { normaliseOptions } from "./s3-options.ts";
import { parseS3Url } from "./s3-url.ts";
import { isSignedHeader, signRequest } from "./sign-request.ts";

const signChannel = pluginChannel("s3", "sign");
const errorChannel = pluginChannel("s3", "error");

/** Methods an `s3:` URL supports: object download, metadata, upload and delete. */
export const S3_METHODS: readonly string[] = Object.freeze(["GET", "HEAD", "PUT", "DELETE"]);

// S3 error bodies are a few hundred bytes; anything larger is not one.
const ERROR_BODY_LIMIT = 64 * 1024;

// Codes after which cached or stored keys are dropped so the next attempt fetches fresh ones.
const REJECTED_KEYS = new Set([
  "ExpiredToken",
  "InvalidAccessKeyId",
  "InvalidToken",
  "TokenRefreshRequired",
  "SignatureDoesNotMatch",
]);

/** One request's plan: where it goes and how it is signed. */
interface Plan {
  readonly url: string;
  readonly bucket: string;
  readonly key: string | undefined;
  readonly config: BucketConfig;
  readonly bucketUrl: string;
  /** URLs the credential store is asked about, most specific first. */
  readonly storeUrls: readonly string[];
}

/** A configured endpoint whose plain http(s) requests are signed when `signEndpoints` is on. */
interface SignedEndpoint {
  readonly protocol: string;
  readonly host: string;
  /** `.host`: a virtual-hosted bucket's host ends with it. */
  readonly dotHost: string;
  readonly base: string;
  /** `base/`: every request to the endpoint's buckets starts with it. */
  readonly basePath: string;
  readonly config: BucketConfig;
}

function signedEndpoints(config: S3Config): SignedEndpoint[] {
  const list: SignedEndpoint[] = [];
  const add = (c: BucketConfig) => {
    if (c.isDefaultEndpoint) return;
    const { protocol, host, pathname } = c.endpoint;
    if (list.some((e) => e.protocol === protocol && e.host === host)) return;
    const base = pathname.replace(/\/+$/, "");
    list.push({ protocol, host, dotHost: `.${host}`, base, basePath: `${base}/`, config: c });
  };
  add(config.defaults);
  for (const c of config.buckets.values()) add(c);
  return list;
}

function planS3(request: HttpRequest, config: S3Config): Plan {
  const where = { method: request.method, url: request.redactedUrl };
  const parsed = parseS3Url(request.url, config);
  if (!parsed.ok) throw new S3RequestError("invalid-url", `invalid s3: URL: ${parsed.detail}`, where);
  if (!S3_METHODS.includes(request.method))
    throw new S3RequestError(
      "unsupported-method",
      `s3: URLs support ${S3_METHODS.join(", ")}, not ${request.method}; use a plain https request to the endpoint with signEndpoints for other S3 operations`,
      where,
    );
  const { bucket, key, query } = parsed.location;
  const bucketConfig = config.buckets.get(bucket) ?? config.defaults;
  const target = resolveTarget(bucket, key, bucketConfig);
  const url = `${target.origin}${target.path}${formatQuery(query)}`;
  return {
    url,
    bucket,
    key,
    config: bucketConfig,
    bucketUrl: target.bucketUrl,
    storeUrls: [url, request.url],
  };
}

function planEndpoint(
  request: HttpRequest,
  config: S3Config,
  endpoints: readonly SignedEndpoint[],
): Plan | undefined {
  const url = request.urlParts;
  for (let i = 0; i < endpoints.length; i++) {
    const e = endpoints[i]!;
    if (url.protocol !== e.protocol) continue;
    const virtual = url.host.endsWith(e.dotHost);
    if (!virtual && url.host !== e.host) continue;
    if (!url.pathname.startsWith(e.basePath)) continue;
    // Re-encode the path in S3's canonical form so what is signed is what S3 reconstructs.
    const rest = url.pathname.slice(e.base.length + 1);
    const decoded = percentDecode(rest);
    const query = parseQuery(url.search);
    if (decoded === undefined || query === undefined) return undefined;
    let bucket: string;
    let key: string | undefined;
    if (virtual) {
      bucket = url.host.slice(0, -(e.host.length + 1));
      key = decoded;
    } else {
      const slash = decoded.indexOf("/");
      bucket = slash === -1 ? decoded : decoded.slice(0, slash);
      key = slash === -1 ? undefined : decoded.slice(slash + 1);
    }
    const own = config.buckets.get(bucket);
    const bucketConfig =
      own && own.endpoint.host === e.host && own.endpoint.protocol === e.protocol ? own : e.config;
    const origin = `${url.protocol}//${url.host}`;
    const bucketUrl = virtual ? `${origin}${e.base}/` : `${origin}${e.base}/${encodeKey(bucket)}/`;
    const signedUrl = `${origin}${e.base}/${encodeKey(decoded)}${formatQuery(query)}`;
    return { url: signedUrl, bucket, key, config: bucketConfig, bucketUrl, storeUrls: [signedUrl] };
  }
  return undefined;
}

function hint(
  code: string,
  keys: ResolvedKeys,
  extra: { endpoint?: string | undefined; region?: string | undefined },
): string {
  if (keys.origin === undefined && (code === "AccessDenied" || code === "Forbidden"))
    return " (the request was sent unsigned: no credentials were configured or found for this bucket)";
  if (code === "SignatureDoesNotMatch") return " (check the secret access key and the signing region)";
  if (code === "InvalidAccessKeyId") return " (the access key id is unknown to this endpoint)";
  if (code === "ExpiredToken") return " (the session token expired; the next attempt fetches fresh keys)";
  if (code === "PermanentRedirect" && extra.endpoint)
    return ` (the bucket must be addressed at ${extra.endpoint}; set its region or endpoint)`;
  if (code === "AuthorizationHeaderMalformed" && extra.region)
    return ` (the bucket is in region ${extra.region}; set its region)`;
  return "";
}

/**
 * Serves `s3://bucket/key` URLs: each becomes an http(s) request to the bucket's endpoint
 * (virtual-hosted or path-style), signed with SigV4 anew on every attempt. S3 error answers
 * become {@link S3Error}s carrying S3's code unless `throwOnError: false`.
 *
 * @example
 * const client = createClient({
 *   middleware: [s3({ region: "eu-west-1", credentials: fromNodeProviderChain() })],
 * });
 * const res = await client.request("s3://my-bucket/data/file.parquet");
 */
export function s3(options: S3Options = {}): Middleware {
  const config = normaliseOptions(options);
  const endpoints = config.signEndpoints ? signedEndpoints(config) : [];

  async function send(request: HttpRequest, next: Next, context: Context, plan: Plan): Promise<HttpResponse> {
    const method = request.method;
    const where = { method, url: redactUrl(plan.url), context };
    context.set(servedByKey, { kind: "bucket", url: redactUrl(plan.bucketUrl) });
    const payload = describePayload(request);
    if (method === "PUT" && payload.length === undefined)
      throw new S3RequestError(
        "missing-content-length",
        "S3 needs the length of an upload: pass a string, bytes or Blob, replayable(open, { length }), or set a Content-Length header on the stream",
        where,
      );
    const extra: Record<string, string> = {};
    if (payload.length !== undefined && request.body !== undefined && !request.headers.has("content-length"))
      extra["content-length"] = String(payload.length);
    // Explicit credentials win: a request that already carries Authorization is only resolved.
    const explicit = request.headers.has("authorization");
    const keys: ResolvedKeys = explicit
      ? { keys: undefined, origin: { from: "explicit" }, region: undefined }
      : await resolveKeys(context, plan.config, config.store, plan.storeUrls);
    if (keys.keys !== undefined) {
      // Registered with the call so every error and event of it is scrubbed of them (core).
      context
        .addSecret(keys.keys.secretAccessKey)
        .addSecret(keys.keys.sessionToken)
        .addSecret(keys.keys.accessKeyId);
    }
    const region = plan.config.region ?? keys.region ?? config.defaultRegion;
    let signed = request.with({ url: plan.url, headers: extra });
    if (keys.keys) {
      const toSign: Record<string, string> = {};
      for (const [name, value] of signed.headers) if (isSignedHeader(name)) toSign[name] = value;
      const added = await signRequest({
        method,
        url: signed.parsedUrl,
        headers: toSign,
        payloadHash: signed.headers.get("x-amz-content-sha256") ?? payload.hash,
        region,
        keys: keys.keys,
        date: new Date(config.now()),
      });
      signed = signed.with({ headers: added });
    }
    if (signChannel.hasSubscribers) {
      publishScrubbed(signChannel, {
        method,
        url: where.url,
        bucket: plan.bucket,
        region,
        signed: keys.keys !== undefined,
        unsignedPayload: payload.hash === "UNSIGNED-PAYLOAD",
        attempt: context.get(attemptKey) ?? 1,
        context,
      });
    }
    const response = await next(signed);
    if (!config.throwOnError || !isS3Failure(response)) return response;
    throw await toS3Error(response, plan, keys, where);
  }

  async function toS3Error(
    response: HttpResponse,
    plan: Plan,
    keys: ResolvedKeys,
    where: { method: string; url: string; context: Context },
  ): Promise<S3Error> {
    const text = where.method === "HEAD" ? undefined : await response.smallText(ERROR_BODY_LIMIT);
    if (text === undefined) await response.discard();
    const body = text === undefined ? undefined : parseS3ErrorXml(text);
    const s3Code = body?.code ?? codeForStatus(response.status);
    const secrets = [keys.keys?.secretAccessKey, keys.keys?.sessionToken];
    const s3Message =
      body?.message === undefined ? undefined : redactSecrets(body.message, secrets).slice(0, 500);
    const requestId = response.headers.get("x-amz-request-id") ?? body?.requestId;
    if (REJECTED_KEYS.has(s3Code)) await forget(keys);
    if (errorChannel.hasSubscribers)
      publishScrubbed(errorChannel, {
        ...where,
        status: response.status,
        s3Code,
        requestId,
        bucket: plan.bucket,
      });
    return new S3Error(
      { status: response.status, s3Code, s3Message, requestId, bucket: plan.bucket, key: plan.key },
      hint(s3Code, keys, { endpoint: body?.endpoint, region: body?.region }),
      where,
    );
  }

  return {
    name: "s3",
    stage: "resolve",
    handle(request, next, context) {
      if (request.url.startsWith("s3:")) return send(request, next, context, planS3(request, config));
      if (endpoints.length > 0) {
        const plan = planEndpoint(request, config, endpoints);
        if (plan) return send(request, next, context, plan);
      }
      return next(request);
    },
  };
}

function isS3Failure(response: HttpResponse): boolean {
  if (response.status >= 400) return true;
  // A 301 without Location is S3's PermanentRedirect: the bucket is in another region.
  return response.status === 301 && !response.headers.has("location");
}

async function forget(keys: ResolvedKeys): Promise<void> {
  const origin = keys.origin;
  if (origin?.from === "provider") origin.invalidate();
  else if (origin?.from === "store" && origin.store.invalidate) {
    try {
      await origin.store.invalidate(origin.url, origin.credential);
    } catch {
      // A store that cannot invalidate must not hide S3's own error.
    }
  }
}
