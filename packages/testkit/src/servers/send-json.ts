import type { ServerResponse } from "node:http";

/**
 * Ends `res` with `body` as JSON, with its Content-Length; `headers` may add to or replace the
 * Content-Type (Google's APIs send `application/json; charset=UTF-8`). For hand-written stand-ins.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
