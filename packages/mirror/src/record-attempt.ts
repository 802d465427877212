import type { Context, HttpResponse } from "@switchyard/core";
import {
  isSwitchyardError,
  mapError,
  publishScrubbed,
  redactSecrets,
  redactUrl,
  servedByKey,
} from "@switchyard/core";
import type { MirrorOutcome, MirrorReport } from "./all-mirrors-failed-error.ts";
import { isMirrorFailure } from "./failure-rules.ts";
import { mirrorChannels } from "./mirror-events.ts";
import { mirrorRouteKey } from "./mirror-options.ts";
import type { Pool, PoolEntry } from "./mirror-pool.ts";

// What the failover loop records of each attempt: reports, events, the served-by keys, and the
// pool's history of a body that breaks off after the response was handed over.

/** An attempt's error as text for reports and events: no secret of the mirror's, URLs redacted. */
export function errorText(error: unknown, entry: PoolEntry): string {
  const text = isSwitchyardError(error)
    ? `${error.name} ${error.code}: ${error.message}`
    : error instanceof Error
      ? `${error.name}: ${redactUrl(error.message)}`
      : redactUrl(String(error));
  return redactSecrets(text, entry.secrets);
}

/** A failed status as text (`HTTP 503 Service Unavailable`). */
export function statusText(res: HttpResponse): string {
  return res.statusText === "" ? `HTTP ${res.status}` : `HTTP ${res.status} ${res.statusText}`;
}

/** One mirror's line in `mirrorRouteKey` and `AllMirrorsFailedError.mirrors`. */
export function report(
  entry: PoolEntry,
  outcome: MirrorOutcome,
  status: number | undefined,
  error: string | undefined,
): MirrorReport {
  return Object.freeze({
    url: entry.redacted,
    kind: entry.kind,
    outcome,
    ...(status === undefined ? {} : { status }),
    ...(error === undefined ? {} : { error }),
    failures: entry.state.failures,
  });
}

/** Records who served the call (core's `servedByKey`, mirror's `mirrorRouteKey`). */
export function served(
  context: Context,
  pool: Pool,
  entry: PoolEntry,
  attempts: readonly MirrorReport[],
): void {
  context.set(servedByKey, { kind: entry.kind, url: entry.redacted });
  context.set(mirrorRouteKey, {
    prefix: pool.prefix,
    servedBy: entry.redacted,
    kind: entry.kind,
    attempts: Object.freeze([...attempts]),
    synthetic: false,
  });
}

/** Publishes a mirror failure on the `failed` channel (scrubbed), when anyone listens. */
export function publishFailed(
  pool: Pool,
  entry: PoolEntry,
  context: Context,
  method: string,
  attempt: number,
  failures: number,
  detail: { status?: number; error: string },
): void {
  if (!mirrorChannels.failed.hasSubscribers) return;
  publishScrubbed(mirrorChannels.failed, {
    prefix: pool.prefix,
    mirror: entry.redacted,
    kind: entry.kind,
    method,
    attempt,
    failures,
    maxFailures: entry.maxFailures,
    ...detail,
    context,
  });
}

/**
 * A body that breaks off mid-stream (reset, truncation, body timeout) is a failure of the mirror
 * too: it cannot be failed over any more, but the pool learns from it.
 */
export function watchBody(
  res: HttpResponse,
  pool: Pool,
  entry: PoolEntry,
  context: Context,
  method: string,
  attempt: number,
  now: () => number,
): void {
  if (!res.hasBody) return;
  // The listener keeps only the URL: a response its caller drops unread must stay collectable (core
  // then releases its body).
  const url = res.url;
  res.body.once("error", (error: unknown) => {
    const mapped = mapError(error, { method, url, context, phase: "body" });
    if (!isMirrorFailure(mapped)) return;
    const text = errorText(mapped, entry);
    const failures = pool.recordFailure(entry, now(), text, true);
    publishFailed(pool, entry, context, method, attempt, failures, { error: text });
  });
}
