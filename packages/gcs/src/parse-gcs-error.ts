/** The fields of a GCS error body the plugin reports. */
export interface GcsErrorBody {
  readonly reason: string | undefined;
  readonly message: string | undefined;
}

function jsonError(text: string): GcsErrorBody | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  // Google's envelope: {"error": {"code", "message", "errors": [{"reason", "message", ...}]}}
  const error = (value as { error?: unknown } | null)?.error;
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { message?: unknown; status?: unknown; errors?: unknown };
  const first = Array.isArray(e.errors)
    ? (e.errors[0] as { reason?: unknown; message?: unknown } | undefined)
    : undefined;
  const reason =
    typeof first?.reason === "string" ? first.reason : typeof e.status === "string" ? e.status : undefined;
  const message =
    typeof e.message === "string"
      ? e.message
      : typeof first?.message === "string"
        ? first.message
        : undefined;
  if (reason === undefined && message === undefined) return undefined;
  return { reason, message };
}

function xmlElement(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  const text = match?.[1]
    ?.replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();
  return text ? text : undefined;
}

/**
 * Reads a GCS error body: the JSON API's envelope or the XML API's `<Error><Code>`. Returns
 * undefined for anything else.
 */
export function parseGcsError(text: string): GcsErrorBody | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) return jsonError(trimmed);
  const start = trimmed.indexOf("<Error>");
  if (start === -1) return undefined;
  const xml = trimmed.slice(start);
  const reason = xmlElement(xml, "Code");
  if (reason === undefined) return undefined;
  return { reason, message: xmlElement(xml, "Message") };
}

const STATUS_REASONS: Readonly<Record<number, string>> = {
  400: "badRequest",
  401: "unauthorized",
  403: "forbidden",
  404: "notFound",
  409: "conflict",
  412: "conditionNotMet",
  416: "requestedRangeNotSatisfiable",
  429: "rateLimitExceeded",
  500: "backendError",
  503: "serviceUnavailable",
};

/** A reason for a bodiless error (HEAD answers). */
export function reasonForStatus(status: number): string {
  return STATUS_REASONS[status] ?? `http${status}`;
}
