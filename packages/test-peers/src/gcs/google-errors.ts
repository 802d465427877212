import type { ServerResponse } from "node:http";
import { sendJson } from "@switchyard/testkit/servers";

/** Google's JSON error envelope, as the JSON API (and every 401 here) sends it. */
export function sendJsonError(
  res: ServerResponse,
  status: number,
  reason: string,
  message: string,
  extra: { locationType?: string; location?: string; headers?: Record<string, string> } = {},
): void {
  const body = {
    error: {
      code: status,
      message,
      errors: [
        {
          message,
          domain: "global",
          reason,
          ...(extra.locationType ? { locationType: extra.locationType, location: extra.location } : {}),
        },
      ],
    },
  };
  sendJson(res, status, body, { "content-type": "application/json; charset=UTF-8", ...extra.headers });
}

/** The XML API's error document. */
export function sendXmlError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, {
    "content-type": "application/xml; charset=UTF-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
