/** The fields of an S3 `<Error>` document that the plugin reports. */
export interface S3ErrorBody {
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly requestId: string | undefined;
  /** For `PermanentRedirect` / `AuthorizationHeaderMalformed`: where the bucket really lives. */
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

// A character reference names a Unicode scalar value: at most U+10FFFF and not a surrogate
// (XML 1.0 §4.1, WFC: Legal Character). Anything else is kept as written: the body comes from
// the server, and String.fromCodePoint would throw a RangeError above U+10FFFF.
function fromCharRef(whole: string, codePoint: number): string {
  if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return whole;
  return String.fromCodePoint(codePoint);
}

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith("#x")) return fromCharRef(whole, Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return fromCharRef(whole, Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

function element(xml: string, name: string): string | undefined {
  // Direct children of <Error> are flat text elements; CDATA is accepted too.
  const match = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml);
  if (!match) return undefined;
  const raw = match[1] ?? decodeXml(match[2] ?? "");
  const text = raw.trim();
  return text === "" ? undefined : text;
}

/**
 * Reads S3's XML error body (`<Error><Code>NoSuchKey</Code><Message>...`). Returns undefined
 * when the text is not an S3 error document. Only the listed fields are read: S3 also echoes
 * the string to sign and canonical request, which never leave this function.
 */
export function parseS3ErrorXml(text: string): S3ErrorBody | undefined {
  const start = text.indexOf("<Error>");
  if (start === -1) return undefined;
  const end = text.indexOf("</Error>", start);
  const xml = text.slice(start, end === -1 ? undefined : end);
  const code = element(xml, "Code");
  if (code === undefined) return undefined;
  return {
    code,
    message: element(xml, "Message"),
    requestId: element(xml, "RequestId"),
    endpoint: element(xml, "Endpoint"),
    region: element(xml, "Region"),
  };
}

// What S3 sends for errors without a body (HEAD, some 3xx/5xx from proxies).
const STATUS_CODES: Readonly<Record<number, string>> = {
  301: "PermanentRedirect",
  304: "NotModified",
  400: "BadRequest",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  411: "MissingContentLength",
  412: "PreconditionFailed",
  416: "InvalidRange",
  500: "InternalError",
  501: "NotImplemented",
  503: "ServiceUnavailable",
};

/** A code for a bodiless error response (HEAD answers carry no XML). */
export function codeForStatus(status: number): string {
  return STATUS_CODES[status] ?? `Http${status}`;
}
