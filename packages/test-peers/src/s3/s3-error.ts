import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

const escapeXml = (text: string): string =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c,
  );

/** Renders an S3 error document: `<Error><Code>..</Code><Message>..</Message>...<RequestId>..</RequestId></Error>`. */
export function renderS3ErrorXml(
  code: string,
  message: string,
  requestId: string,
  details: Readonly<Record<string, string>> = {},
): string {
  const extra = Object.entries(details)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message>${extra}<RequestId>${requestId}</RequestId>` +
    `<HostId>switchyard-testkit</HostId></Error>`
  );
}

/** A new S3-style request id (16 upper-case hex digits). */
export function newRequestId(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

/**
 * Answers an S3 error (XML body, no body for HEAD). When the request body was not read, the
 * connection is closed so that the unread body cannot be taken for the next request.
 */
export function sendS3Error(
  req: IncomingMessage,
  res: ServerResponse,
  error: { status: number; code: string; message: string; details?: Readonly<Record<string, string>> },
  requestId: string = newRequestId(),
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = renderS3ErrorXml(error.code, error.message, requestId, error.details);
  const headers: Record<string, string | number> = {
    "content-type": "application/xml",
    "x-amz-request-id": requestId,
    "content-length": req.method === "HEAD" ? 0 : Buffer.byteLength(body),
  };
  if (!req.complete) headers.connection = "close";
  res.writeHead(error.status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}
