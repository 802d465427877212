import { pipeline, Readable } from "node:stream";
import { fetchFailure } from "./fetch-error.ts";
import type { FetchCall } from "./fetch-input.ts";
import { parseFetchIntegrity } from "./integrity.ts";
import { IntegrityError } from "./integrity-error.ts";
import { IntegrityStream } from "./integrity-stream.ts";
import { mapError } from "./map-error.ts";
import { redactUrl } from "./redact.ts";
import type { HttpResponse } from "./response.ts";
import type { WebStreamHooks } from "./web-body.ts";
import { readAll } from "./web-body.ts";
import { hasNullBody, toWebResponse } from "./web-response.ts";

function ignore(): void {}

/**
 * A fetch response with `integrity` set, as fetch makes it: the whole (decoded) body is read and
 * checked before the response resolves, and the response then holds those bytes. A mismatch
 * rejects with `TypeError("fetch failed")` whose cause is the `IntegrityError`; so does a response
 * without a body (HEAD, 204, 304...), as Node's fetch has it. The check is core's own (the
 * `IntegrityStream` client.request uses, with its `switchyard:core:integrity` event); only the
 * reading of the value is fetch's (see `parseFetchIntegrity`).
 */
export function checkFetchIntegrity(
  call: FetchCall,
  res: HttpResponse,
  hooks: WebStreamHooks,
): Promise<Response> {
  const integrity = call.sri as string;
  const site = { method: call.method, url: redactUrl(res.url), context: res.context };
  if (hasNullBody(res.status, call.method)) {
    void res.discard();
    const error = new IntegrityError({ ...site, expected: integrity, actual: "no body", bytes: 0 });
    return Promise.reject(fetchFailure(error, call.signal));
  }
  const expected = parseFetchIntegrity(integrity);
  // No token names a known algorithm: fetch accepts any body, so there is nothing to hold back.
  if (expected === undefined)
    return Promise.resolve(toWebResponse(res, call.method, hooks, undefined, call.signal));
  const checked = new IntegrityStream(expected, site);
  pipeline(res.body, checked, ignore);
  return readAll(checked, (error) => mapError(error, { ...site, url: res.url, phase: "body" })).then(
    (bytes) => toWebResponse(res, call.method, hooks, Readable.from([bytes]), call.signal),
    (error: unknown) => {
      throw fetchFailure(error, call.signal);
    },
  );
}
