import { InvalidOptionsError, redactUrl } from "@switchyard/core";
import { S3CredentialsError, S3RequestError } from "./errors.ts";
import { resolveTarget } from "./resolve-endpoint.ts";
import { formatQuery } from "./s3-key.ts";
import type { S3Options } from "./s3-options.ts";
import { normaliseOptions } from "./s3-options.ts";
import { parseS3Url } from "./s3-url.ts";
import { presignRequest } from "./sign-request.ts";

/** SigV4 presigned URLs live at most seven days. */
export const MAX_PRESIGN_SECONDS = 604_800;

/** Options of {@link presignS3Url}: the plugin's options plus what the URL allows. */
export interface PresignOptions
  extends Pick<S3Options, "region" | "endpoint" | "forcePathStyle" | "credentials" | "buckets" | "now"> {
  /** Seconds the URL stays valid, 1 to 604800. @default 3600 */
  readonly expiresIn?: number | undefined;
  /** The method the URL is good for (`GET` to share a download, `PUT` to accept an upload). @default "GET" */
  readonly method?: "GET" | "HEAD" | "PUT" | "DELETE" | undefined;
}

/**
 * Makes a presigned https URL for an `s3://bucket/key` URL, usable by any HTTP client for
 * `expiresIn` seconds without credentials. The payload is `UNSIGNED-PAYLOAD`; only `host` is signed.
 *
 * @example
 * const url = await presignS3Url("s3://my-bucket/report.pdf", { region: "eu-west-1", credentials, expiresIn: 900 });
 */
export async function presignS3Url(url: string, options: PresignOptions = {}): Promise<string> {
  const expiresIn = options.expiresIn ?? 3600;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_SECONDS)
    throw new InvalidOptionsError(
      `s3: expiresIn must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS}`,
    );
  const method = options.method ?? "GET";
  if (!["GET", "HEAD", "PUT", "DELETE"].includes(method))
    throw new InvalidOptionsError(
      `s3: presigned URLs support GET, HEAD, PUT and DELETE, not ${String(method)}`,
    );
  const config = normaliseOptions(options);
  const parsed = parseS3Url(url, config);
  if (!parsed.ok)
    throw new S3RequestError("invalid-url", `invalid s3: URL: ${parsed.detail}`, {
      method,
      url: redactUrl(url),
    });
  const { bucket, key, query } = parsed.location;
  const bucketConfig = config.buckets.get(bucket) ?? config.defaults;
  const source = bucketConfig.credentials;
  if (source === undefined || source.kind === "anonymous")
    throw new S3CredentialsError("presigning needs credentials: pass keys or a provider as credentials", {
      method,
      url: redactUrl(url),
    });
  const keys = source.kind === "keys" ? source.keys : await source.provider.get();
  const target = resolveTarget(bucket, key, bucketConfig);
  return presignRequest({
    method,
    url: new URL(`${target.origin}${target.path}${formatQuery(query)}`),
    region: bucketConfig.region ?? config.defaultRegion,
    keys,
    date: new Date(config.now()),
    expiresIn,
  });
}
