import { pipeline } from "node:stream";
import type { CallInit } from "./client.ts";
import { parseIntegrity } from "./integrity.ts";
import { IntegrityStream } from "./integrity-stream.ts";
import { redactUrl } from "./redact.ts";
import type { HttpRequest } from "./request.ts";
import type { HttpResponse } from "./response.ts";

type Send = (input: string | URL | HttpRequest, init?: CallInit) => Promise<HttpResponse>;

function describeInput(input: string | URL | HttpRequest, init: CallInit): { method: string; url: string } {
  const method = (input as HttpRequest).method ?? init.method ?? "GET";
  const url =
    typeof input === "string" ? input : input instanceof URL ? input.href : (input as HttpRequest).url;
  return { method: method.toUpperCase(), url: redactUrl(url) };
}

/**
 * Runs a call whose `init.integrity` is set (core-internal): parses the value first (a bad one
 * rejects before anything is sent), sends the call without it, and gives the response a body that
 * is checked while it streams. This is the outermost step of the call, so the check covers the
 * bytes the caller reads, whatever happened inside the chain (a resumed download, a mirror switch).
 */
export function requestWithIntegrity(
  send: Send,
  input: string | URL | HttpRequest,
  init: CallInit & { readonly integrity: string },
): Promise<HttpResponse> {
  const site = describeInput(input, init);
  let expected: ReturnType<typeof parseIntegrity>;
  try {
    expected = parseIntegrity(init.integrity, site);
  } catch (error) {
    return Promise.reject(error);
  }
  const { integrity: _, ...rest } = init;
  return send(input, rest).then((res) => {
    if (!res.hasBody || res.request?.method === "HEAD") return res;
    const checked = new IntegrityStream(expected, {
      method: res.request?.method ?? site.method,
      url: redactUrl(res.url),
      context: res.context,
    });
    // pipeline carries a source failure to `checked` and destroys the source when the caller stops early.
    pipeline(res.body, checked, () => {});
    return res.with({ body: checked });
  });
}
