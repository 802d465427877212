import type { CredentialStore } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";
import type { BucketNameRules } from "./bucket-name.ts";
import { BUCKET_NAME_RULES, bucketNameProblem } from "./bucket-name.ts";
import type { S3CredentialsOption } from "./credentials.ts";
import { CachedProvider, keysProblem, type S3Keys } from "./credentials.ts";
import type { BucketTarget } from "./resolve-endpoint.ts";
import { awsEndpoint, isIpOrLocalhost } from "./resolve-endpoint.ts";

/** Settings for one bucket; each falls back to the plugin-wide option of the same name. */
export interface S3BucketOptions {
  /** The bucket's endpoint, e.g. `https://<account>.r2.cloudflarestorage.com` or `http://minio:9000`. */
  readonly endpoint?: string | URL | undefined;
  /** The signing region (`auto` for R2). */
  readonly region?: string | undefined;
  /** `true`: path-style; `false`: virtual-hosted even on a custom endpoint. */
  readonly forcePathStyle?: boolean | undefined;
  /** Keys for this bucket only. */
  readonly credentials?: S3CredentialsOption | undefined;
}

/** Options of {@link s3}. */
export interface S3Options {
  /**
   * Signing region, and the AWS regional endpoint when no endpoint is set.
   * @default "us-east-1"
   */
  readonly region?: string | undefined;
  /**
   * An S3-compatible endpoint (MinIO, R2, an emulator). Buckets there are addressed path-style
   * unless `forcePathStyle: false`.
   * @default `https://s3.<region>.amazonaws.com`, virtual-hosted
   */
  readonly endpoint?: string | URL | undefined;
  /**
   * `true` forces path-style URLs, `false` forces virtual-hosted ones; unset chooses per bucket
   * (see the README).
   * @default undefined
   */
  readonly forcePathStyle?: boolean | undefined;
  /**
   * Static keys, an AWS SDK credential provider, or `"anonymous"`.
   * @default undefined (the store, else unsigned requests for public buckets)
   */
  readonly credentials?: S3CredentialsOption | undefined;
  /**
   * A core credential store (such as `@switchyard/auth`'s) asked for `kind: "s3"` keys. It wins
   * over `credentials` for buckets on custom endpoints, and is asked after them for AWS.
   * @default undefined
   */
  readonly store?: CredentialStore | undefined;
  /** Per-bucket settings, by bucket name. @default {} */
  readonly buckets?: Readonly<Record<string, S3BucketOptions>> | undefined;
  /**
   * Also sign plain `http(s):` requests whose origin is one of the configured endpoints
   * (`endpoint` and every bucket's), not only `s3:` URLs.
   * @default false
   */
  readonly signEndpoints?: boolean | undefined;
  /**
   * Turn S3 error responses (4xx/5xx, and 301 without Location) into a thrown {@link S3Error}.
   * `false` hands every response back as it came.
   * @default true
   */
  readonly throwOnError?: boolean | undefined;
  /**
   * Which bucket names are accepted. `"aws"` applies the S3 general-purpose bucket naming rules
   * (so a typo or a reserved name fails before anything is signed or sent); `"relaxed"` is the
   * escape hatch for S3-compatible stores that allow more (upper case, `_`, up to 255 characters,
   * IP-like names) and for access point aliases. Applies to `s3:` URLs and to `buckets` keys.
   * @default "aws"
   */
  readonly bucketNames?: BucketNameRules | undefined;
  /** Clock for the signing date, in epoch milliseconds. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** A credential source after validation. */
export type CredentialSource =
  | { readonly kind: "keys"; readonly keys: S3Keys }
  | { readonly kind: "provider"; readonly provider: CachedProvider }
  | { readonly kind: "anonymous" };

/** One bucket's (or the default) resolved settings. */
export interface BucketConfig extends BucketTarget {
  readonly region: string | undefined;
  readonly credentials: CredentialSource | undefined;
}

/** The validated options. */
export interface S3Config {
  readonly defaults: BucketConfig;
  readonly buckets: ReadonlyMap<string, BucketConfig>;
  readonly defaultRegion: string;
  readonly store: CredentialStore | undefined;
  readonly signEndpoints: boolean;
  readonly throwOnError: boolean;
  readonly bucketNames: BucketNameRules;
  readonly now: () => number;
}

const REGION = /^[a-z0-9-]{1,64}$/;

function checkEndpoint(where: string, value: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new InvalidOptionsError(
      `s3: ${where} must be an http(s) URL, got ${JSON.stringify(String(value).slice(0, 100))}`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new InvalidOptionsError(`s3: ${where} must be an http: or https: URL, got ${url.protocol}`);
  if (url.username || url.password)
    throw new InvalidOptionsError(`s3: ${where} must not carry userinfo; pass credentials instead`);
  if (url.search || url.hash)
    throw new InvalidOptionsError(`s3: ${where} must not carry a query or fragment`);
  return url;
}

function checkRegion(where: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !REGION.test(value))
    throw new InvalidOptionsError(`s3: ${where} must be a region name such as "eu-west-1" or "auto"`);
  return value;
}

function checkCredentials(where: string, value: unknown, now: () => number): CredentialSource | undefined {
  if (value === undefined) return undefined;
  if (value === "anonymous") return { kind: "anonymous" };
  if (typeof value === "function")
    return { kind: "provider", provider: new CachedProvider(value as () => Promise<S3Keys>, now) };
  const problem = keysProblem(value);
  if (problem)
    throw new InvalidOptionsError(
      `s3: ${where} must be keys, a credential provider function or "anonymous": it ${problem}`,
    );
  return { kind: "keys", keys: value as S3Keys };
}

function checkBoolean(where: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw new InvalidOptionsError(`s3: ${where} must be a boolean`);
}

function bucketConfig(
  where: string,
  options: S3BucketOptions,
  base: BucketConfig | undefined,
  now: () => number,
): BucketConfig {
  const endpoint =
    options.endpoint === undefined ? undefined : checkEndpoint(`${where}.endpoint`, options.endpoint);
  const region = checkRegion(`${where}.region`, options.region) ?? base?.region;
  const forcePathStyle =
    checkBoolean(`${where}.forcePathStyle`, options.forcePathStyle) ?? base?.forcePathStyle;
  const credentials = checkCredentials(`${where}.credentials`, options.credentials, now) ?? base?.credentials;
  let target: { endpoint: URL; isDefaultEndpoint: boolean };
  if (endpoint) target = { endpoint, isDefaultEndpoint: false };
  else if (base && !base.isDefaultEndpoint) target = { endpoint: base.endpoint, isDefaultEndpoint: false };
  else target = { endpoint: awsEndpoint(region ?? "us-east-1"), isDefaultEndpoint: true };
  if (forcePathStyle === false && isIpOrLocalhost(target.endpoint.hostname))
    throw new InvalidOptionsError(
      `s3: ${where} asks for virtual-hosted style (forcePathStyle: false) on ${target.endpoint.host}, an IP or localhost endpoint where bucket host names cannot exist`,
    );
  return { ...target, region, forcePathStyle, credentials };
}

/** Validates {@link S3Options}; throws InvalidOptionsError synchronously on a bad one. */
export function normaliseOptions(options: S3Options): S3Config {
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionsError("s3: options must be an object");
  const now = options.now ?? Date.now;
  if (typeof now !== "function")
    throw new InvalidOptionsError("s3: now must be a function returning epoch milliseconds");
  const bucketNames = options.bucketNames ?? "aws";
  if (!BUCKET_NAME_RULES.includes(bucketNames))
    throw new InvalidOptionsError(
      `s3: bucketNames must be ${BUCKET_NAME_RULES.map((r) => JSON.stringify(r)).join(" or ")}, got ${JSON.stringify(String(bucketNames))}`,
    );
  const defaults = bucketConfig("options", options, undefined, now);
  const buckets = new Map<string, BucketConfig>();
  const list = options.buckets ?? {};
  if (typeof list !== "object" || list === null)
    throw new InvalidOptionsError("s3: buckets must be an object keyed by bucket name");
  for (const [name, bucket] of Object.entries(list)) {
    const problem = bucketNameProblem(name, bucketNames);
    if (problem !== undefined)
      throw new InvalidOptionsError(
        `s3: buckets has ${JSON.stringify(name.slice(0, 80))}, which is not a bucket name: it ${problem}`,
      );
    if (typeof bucket !== "object" || bucket === null)
      throw new InvalidOptionsError(`s3: buckets[${JSON.stringify(name)}] must be an object`);
    buckets.set(name, bucketConfig(`buckets[${JSON.stringify(name)}]`, bucket, defaults, now));
  }
  const store = options.store;
  if (store !== undefined && (typeof store !== "object" || store === null || typeof store.get !== "function"))
    throw new InvalidOptionsError("s3: store must be a CredentialStore (an object with get(url))");
  return {
    defaults,
    buckets,
    defaultRegion: defaults.region ?? "us-east-1",
    store,
    signEndpoints: checkBoolean("signEndpoints", options.signEndpoints) ?? false,
    throwOnError: checkBoolean("throwOnError", options.throwOnError) ?? true,
    bucketNames,
    now,
  };
}
