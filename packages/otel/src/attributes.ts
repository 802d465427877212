import type { Attributes } from "@opentelemetry/api";

const DEFAULT_PORT: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 };

/**
 * The HTTP client attributes of the OpenTelemetry semantic conventions for a request: method,
 * `url.full` (already redacted by the caller), `url.scheme`, `server.address` and `server.port`.
 */
export function requestAttributes(method: string, redactedUrl: string): Attributes {
  const attributes: Attributes = { "http.request.method": method, "url.full": redactedUrl };
  try {
    const url = new URL(redactedUrl);
    attributes["url.scheme"] = url.protocol.slice(0, -1);
    attributes["server.address"] = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = url.port === "" ? DEFAULT_PORT[url.protocol] : Number(url.port);
    if (port !== undefined) attributes["server.port"] = port;
  } catch {
    // a URL that does not parse keeps only what it has
  }
  return attributes;
}

/**
 * `error.type` for a failure: the Switchyard error code (`SWITCHYARD_ERR_CONNECT`...), another
 * error's `code` or name, or the status code for a 4xx/5xx answer, as the conventions ask.
 */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code !== "") return code;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "" ? name : "_OTHER";
}
