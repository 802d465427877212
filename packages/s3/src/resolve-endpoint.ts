import { encodeKey } from "./s3-key.ts";

/** Where one bucket lives, after options are applied. */
export interface BucketTarget {
  /** Endpoint origin (`https://s3.us-east-1.amazonaws.com`, `http://127.0.0.1:9000`...). */
  readonly endpoint: URL;
  /** Whether the endpoint is AWS's default (then virtual-hosted style is the default). */
  readonly isDefaultEndpoint: boolean;
  /** undefined = decide per bucket; true = always path-style; false = virtual-hosted. */
  readonly forcePathStyle: boolean | undefined;
}

/** The addressing style chosen for a request. */
export type AddressingStyle = "virtual" | "path";

/** The https (or http) URL of an object and of its bucket, and the style used. */
export interface ResolvedTarget {
  readonly style: AddressingStyle;
  /** The bucket's base URL (for `servedByKey` and messages), ending in `/`. */
  readonly bucketUrl: string;
  /** The encoded path sent on the wire and signed as is. */
  readonly path: string;
  /** `scheme://host[:port]` of the request. */
  readonly origin: string;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Whether `host` is an IP literal or a localhost name, where virtual hosts cannot exist. */
export function isIpOrLocalhost(host: string): boolean {
  const h = host.toLowerCase();
  return IPV4.test(h) || h.startsWith("[") || h === "localhost" || h.endsWith(".localhost");
}

// RFC 1123 label rules S3 applies to virtual-hosted bucket names.
const DNS_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * The addressing style for `bucket` at `target`. Virtual-hosted style is the default for AWS's
 * own endpoint; path-style is used for custom endpoints (MinIO, R2 accounts, emulators), for IP
 * and localhost endpoints, for buckets that are not a single DNS label (dots break the
 * `*.s3.amazonaws.com` TLS wildcard; upper case and `_` are not host names), and when forced.
 * `forcePathStyle: false` asks for virtual hosts on a custom endpoint too.
 */
export function addressingStyle(bucket: string, target: BucketTarget): AddressingStyle {
  if (target.forcePathStyle === true) return "path";
  if (!DNS_BUCKET.test(bucket) || isIpOrLocalhost(target.endpoint.hostname)) return "path";
  if (target.forcePathStyle === false) return "virtual";
  return target.isDefaultEndpoint ? "virtual" : "path";
}

/** AWS's regional endpoint for `region`. */
export function awsEndpoint(region: string): URL {
  return new URL(`https://s3.${region}.amazonaws.com`);
}

/** The request URL parts for `bucket`/`key` at `target`. */
export function resolveTarget(bucket: string, key: string, target: BucketTarget): ResolvedTarget {
  const style = addressingStyle(bucket, target);
  const { protocol, host } = target.endpoint;
  // An endpoint may carry a base path (some gateways mount S3 under a prefix).
  const base = target.endpoint.pathname.replace(/\/+$/, "");
  if (style === "virtual") {
    const origin = `${protocol}//${bucket}.${host}`;
    return { style, origin, bucketUrl: `${origin}${base}/`, path: `${base}/${encodeKey(key)}` };
  }
  const origin = `${protocol}//${host}`;
  const bucketPath = `${base}/${encodeKey(bucket)}`;
  return { style, origin, bucketUrl: `${origin}${bucketPath}/`, path: `${bucketPath}/${encodeKey(key)}` };
}
