import type { Context, ContextKey, HttpRequest, HttpResponse, Next } from "@switchyard/core";
import { contextKey } from "@switchyard/core";
import type { MirrorOutcome, MirrorReport } from "./all-mirrors-failed-error.ts";
import { AllMirrorsFailedError } from "./all-mirrors-failed-error.ts";
import { chooseOrder } from "./choose-order.ts";
import type { JudgedAttempt } from "./decide-next-mirror.ts";
import { decideExhausted, decideNextMirror, judgeAttempt } from "./decide-next-mirror.ts";
import { abortableSleep } from "./failover-delay.ts";
import { mirrorChannels } from "./mirror-events.ts";
import type { ResolvedOptions } from "./mirror-options.ts";
import { mirrorRouteKey } from "./mirror-options.ts";
import type { Pool, PoolEntry } from "./mirror-pool.ts";
import { errorText, publishFailed, report, served, statusText, watchBody } from "./record-attempt.ts";
import { rewriteForMirror, syntheticNotFound } from "./send-to-mirror.ts";

/**
 * The mirrors an attempt of this call is waiting on right now. A second, concurrent pass through
 * mirror for the same call (a hedge from `@switchyard/hedge`, outside in stage `policy`) tries the
 * other mirrors first: racing the mirror that is already slow would gain nothing.
 */
const busyMirrorsKey: ContextKey<Set<PoolEntry>> = contextKey<Set<PoolEntry>>("switchyard:mirror:busy");

/** `order` with the mirrors busy for this call moved last (stable). */
function busyLast(
  order: readonly number[],
  entries: readonly PoolEntry[],
  busy: Set<PoolEntry> | undefined,
): readonly number[] {
  if (busy === undefined || busy.size === 0) return order;
  return [...order.filter((i) => !busy.has(entries[i]!)), ...order.filter((i) => busy.has(entries[i]!))];
}

interface Tried {
  readonly outcome: "failed" | "next";
  readonly status?: number;
  readonly error?: string;
}

/**
 * Tries the pool's mirrors for one call (and the origin last, when enabled): failover within the
 * call when the body can be sent again, a delay between attempts, the pool updated with each
 * outcome.
 */
export async function routeThroughMirrors(
  request: HttpRequest,
  next: Next,
  context: Context,
  pool: Pool,
  rest: string,
  options: ResolvedOptions,
): Promise<HttpResponse> {
  const now = options.now;
  const q = rest.indexOf("?");
  const path = q < 0 ? rest : rest.slice(0, q);
  const entries = pool.entries;
  const standings = pool.standings(now());
  const carries = entries.map((e) => e.carries(path));
  const order = chooseOrder(request, pool, standings, carries, options);
  const fallback = pool.fallbackToOrigin;

  if (!fallback && order.length === 0 && !carries.includes(true)) {
    context.set(mirrorRouteKey, {
      prefix: pool.prefix,
      servedBy: undefined,
      kind: undefined,
      attempts: [],
      synthetic: true,
    });
    return syntheticNotFound(request, context, pool, path);
  }

  let busy = context.get(busyMirrorsKey);
  const sequence: PoolEntry[] = busyLast(order, entries, busy)
    .slice(0, options.maxAttempts)
    .map((i) => entries[i]!);
  if (fallback) sequence.push(pool.origin);
  // Trying a mirror past its failure limit is a probe: other calls skip it until it settles.
  const overLimit = new Set(standings.filter((s) => s.availability !== "healthy").map((s) => s.entry));
  const tried = new Map<PoolEntry, Tried>();
  const attempts: MirrorReport[] = [];
  const where = { method: request.method, url: request.redactedUrl };
  const requestOrigin = pool.urlPrefix.base;
  let pending: { res: HttpResponse; entry: PoolEntry } | undefined;
  let failed = false;
  let transient = false;
  let lastError: unknown;
  let why: string | undefined;
  if (order.length > options.maxAttempts) why = `maxAttempts (${options.maxAttempts}) reached`;

  // The loop decides nothing itself: `judgeAttempt` judges each attempt, `decideNextMirror` says
  // stop or wait and try the next, and the loop carries that out (events, the pool's history).
  let last: JudgedAttempt | undefined;
  for (let made = 0; ; made++) {
    const decision = decideNextMirror({
      made,
      planned: sequence.length,
      last,
      replayable: request.isReplayable,
      delay: options.delay,
    });
    if (decision.kind === "stop") {
      if (decision.reason === "not-replayable") {
        why = "the request body is a one-shot stream that was already sent, so no other mirror was tried";
      }
      break;
    }
    const n = decision.index;
    const entry = sequence[n]!;
    if (n > 0) {
      if (pending !== undefined) {
        await pending.res.discard();
        pending = undefined;
      }
      await abortableSleep(decision.ms, request.signal, where);
    }
    const probe = overLimit.has(entry);
    if (probe) entry.state.probing = true;
    const target = rewriteForMirror(request, entry, rest, requestOrigin, context);
    if (mirrorChannels.selected.hasSubscribers) {
      mirrorChannels.selected.publish({
        prefix: pool.prefix,
        mirror: entry.redacted,
        kind: entry.kind,
        url: target.redactedUrl,
        method: request.method,
        attempt: n + 1,
        probe,
        context,
      });
    }
    let res: HttpResponse;
    if (busy === undefined) {
      busy = new Set();
      context.set(busyMirrorsKey, busy);
    }
    busy.add(entry);
    try {
      // Redirects from a mirror are core's: its redirect loop keeps the caller's credentials off
      // any hop that leaves the caller's origin.
      res = await next(target);
    } catch (error) {
      busy.delete(entry);
      last = judgeAttempt({ error }, options);
      if (last.verdict === "fatal") {
        if (probe) entry.state.probing = false;
        throw error;
      }
      const text = errorText(error, entry);
      const failures = pool.recordFailure(entry, now(), text, false);
      publishFailed(pool, entry, context, request.method, n + 1, failures, { error: text });
      tried.set(entry, { outcome: "failed", error: text });
      attempts.push(report(entry, "failed", undefined, text));
      failed = true;
      transient ||= last.transient;
      lastError = error;
      continue;
    }
    busy.delete(entry);
    last = judgeAttempt({ status: res.status }, options);
    if (last.verdict === "failure") {
      const text = statusText(res);
      const failures = pool.recordFailure(entry, now(), text, true);
      publishFailed(pool, entry, context, request.method, n + 1, failures, {
        status: res.status,
        error: text,
      });
      tried.set(entry, { outcome: "failed", status: res.status, error: text });
      attempts.push(report(entry, "failed", res.status, text));
      failed = true;
      transient ||= last.transient;
      pending = { res, entry };
      continue;
    }
    const before = pool.recordSuccess(entry, now());
    if (before > 0 && mirrorChannels.recovered.hasSubscribers) {
      mirrorChannels.recovered.publish({
        prefix: pool.prefix,
        mirror: entry.redacted,
        kind: entry.kind,
        previousFailures: before,
        context,
      });
    }
    if (last.verdict === "next") {
      tried.set(entry, { outcome: "next", status: res.status });
      attempts.push(report(entry, "next", res.status, undefined));
      pending = { res, entry };
      continue;
    }
    served(context, pool, entry, attempts);
    watchBody(res, pool, entry, context, request.method, n + 1, options.now);
    return res;
  }

  if (
    pending !== undefined &&
    decideExhausted({ hasResponse: true, failed, onExhausted: options.onExhausted }) === "last-response"
  ) {
    served(context, pool, pending.entry, attempts);
    return pending.res;
  }
  if (pending !== undefined) await pending.res.discard();
  context.set(mirrorRouteKey, {
    prefix: pool.prefix,
    servedBy: undefined,
    kind: undefined,
    attempts: Object.freeze(attempts),
    synthetic: false,
  });
  if (sequence.length === 0) {
    const cooling = standings.every((st, i) => !carries[i] || st.availability === "cooling");
    why = cooling
      ? "every mirror is cooling down after repeated failures"
      : "the select hook chose no mirror";
    // Cool-downs end: a later retry may find a mirror to probe.
    transient = cooling;
  }
  const now2 = now();
  const reports = entries.map((entry, i): MirrorReport => {
    const t = tried.get(entry);
    if (t !== undefined) return report(entry, t.outcome, t.status, t.error);
    const standing = pool.standingOf(entry, now2);
    const outcome: MirrorOutcome = !carries[i]
      ? "skipped"
      : standing.availability === "cooling"
        ? "cooling"
        : "not-tried";
    return report(entry, outcome, undefined, entry.state.lastError);
  });
  if (fallback) {
    const t = tried.get(pool.origin);
    reports.push(
      t === undefined
        ? report(pool.origin, "not-tried", undefined, pool.origin.state.lastError)
        : report(pool.origin, t.outcome, t.status, t.error),
    );
  }
  throw new AllMirrorsFailedError(pool.prefix, reports, {
    ...where,
    context,
    transient,
    why,
    ...(lastError === undefined ? {} : { cause: lastError }),
  });
}
