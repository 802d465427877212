import { safeDecode } from "./safe-decode.ts";

/** Default S3 service endpoint suffix recognised for virtual-host style (as s3rver does). */
export const S3_SERVICE_ENDPOINT = "amazonaws.com";

const VHOST = /^(.+)\.s3(?:-website)?(?:[-.].+)?\.amazonaws\.com$/;

/** Strips the port from a Host header value (`[::1]:80` and `name:80` forms). */
function hostname(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

/**
 * The bucket a request addresses: from a virtual-host `Host` (`bucket.s3.amazonaws.com:PORT`), else
 * the first path segment (path style); `undefined` for service-level requests (`GET /`).
 */
export function bucketOf(
  host: string | undefined,
  url: string,
): { bucket: string | undefined; style: "virtual" | "path" } {
  const vhost = VHOST.exec(hostname(host ?? "").toLowerCase());
  if (vhost?.[1]) return { bucket: vhost[1], style: "virtual" };
  const path = url.split("?")[0] ?? "/";
  const first = path.split("/")[1] ?? "";
  return { bucket: first === "" ? undefined : safeDecode(first), style: "path" };
}
