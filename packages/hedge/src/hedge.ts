import type { Context, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import { attemptBudgetKey } from "@switchyard/core";
import { ExtraLoadBucket } from "./extra-load.ts";
import { hedgeChannels as ch } from "./hedge-events.ts";
import type { HedgeOptions } from "./hedge-options.ts";
import { resolveHedgeOptions } from "./hedge-options.ts";
import { LatencyHistogram } from "./latency-histogram.ts";

/** One origin as {@link HedgeMiddleware.snapshot} reports it. */
export interface HedgeOriginSnapshot {
  readonly origin: string;
  /** Latency samples held. */
  readonly samples: number;
  /** Live quantiles of the time to response headers, in ms (undefined before any sample). */
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  /** The hedge delay in force (undefined while warming up). */
  readonly delayMs: number | undefined;
  readonly calls: number;
  readonly hedges: number;
  /** Hedged calls the hedge answered first. */
  readonly hedgeWins: number;
  readonly skipped: number;
}

/** The middleware {@link hedge} returns. */
export interface HedgeMiddleware extends Middleware {
  readonly name: "hedge";
  readonly stage: "policy";
  /** Per-origin latency and hedge counts, for dashboards. */
  snapshot(): readonly HedgeOriginSnapshot[];
  /** Hedges in flight now. */
  readonly inFlight: number;
}

interface OriginStats {
  readonly histogram: LatencyHistogram;
  calls: number;
  hedges: number;
  hedgeWins: number;
  skipped: number;
}

type Branch = "primary" | "hedge";

/**
 * Hedged requests: when an idempotent request has not been answered after the origin's live p95
 * latency, a second attempt goes; the first answer wins, the other attempt is aborted and its body
 * discarded. Each hedge is paid from core's `attemptBudgetKey` budget (set by `@switchyard/retry`)
 * as well as a cap on extra load (5 % of calls) and on hedges in flight, so a partial outage, when
 * everything is slow, does not double the load.
 *
 * Stage `policy`: outside mirror, so the hedge runs the route stage again and `@switchyard/mirror`
 * sends it to another mirror than the one still busy with the first attempt.
 *
 * @example
 * const client = createClient({ middleware: [retry(), hedge()] });
 * const res = await client.request("https://cdn.example.com/index.json"); // a slow answer is raced
 */
export function hedge(options: HedgeOptions = {}): HedgeMiddleware {
  const o = resolveHedgeOptions(options);
  const now = o.now;
  const stats = new Map<string, OriginStats>();
  const extra = new ExtraLoadBucket(o.maxExtraLoad);
  let inFlight = 0;

  function statsFor(key: string): OriginStats {
    let s = stats.get(key);
    if (s !== undefined) return s;
    if (stats.size >= o.maxOrigins) stats.delete(stats.keys().next().value!);
    s = { histogram: new LatencyHistogram(o.windowSize), calls: 0, hedges: 0, hedgeWins: 0, skipped: 0 };
    stats.set(key, s);
    return s;
  }

  function delayFor(s: OriginStats): number | undefined {
    if (o.delay !== undefined) return Math.max(o.delay, o.minDelay);
    if (s.histogram.count < o.minSamples) return undefined;
    return Math.max(o.minDelay, s.histogram.quantile(o.quantile)!);
  }

  function skip(key: string, s: OriginStats, reason: string, context: Context): void {
    s.skipped++;
    if (ch.skip.hasSubscribers) ch.skip.publish({ origin: key, reason, context });
  }

  function branchRequest(request: HttpRequest, controller: AbortController): HttpRequest {
    const caller = request.signal;
    return request.with({
      signal: caller === undefined ? controller.signal : AbortSignal.any([caller, controller.signal]),
    });
  }

  function send(next: Next, request: HttpRequest): Promise<HttpResponse> {
    try {
      return next(request);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function race(
    request: HttpRequest,
    next: Next,
    context: Context,
    key: string,
    s: OriginStats,
    delay: number,
  ): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      const start = now();
      const controllers: Record<Branch, AbortController | undefined> = {
        primary: new AbortController(),
        hedge: undefined,
      };
      let settled = false;
      let hedged = false;
      let holdsSlot = false;
      let pending = 1;
      let firstError: { error: unknown } | undefined;
      let timer: unknown;

      const stopTimer = (): void => {
        if (timer === undefined) return;
        o.timers.clear(timer);
        timer = undefined;
      };
      const freeSlot = (): void => {
        if (!holdsSlot) return;
        holdsSlot = false;
        inFlight--;
      };
      const onAnswer = (branch: Branch) => (response: HttpResponse) => {
        if (branch === "hedge") freeSlot();
        // The loser answered too: nobody reads it; give the connection back.
        if (settled) return void response.discard();
        settled = true;
        stopTimer();
        // The primary's latency, or when the hedge won the primary's time so far (at least the
        // delay): the tail stays in the distribution, so hedging does not lower its own threshold.
        const latencyMs = now() - start;
        s.histogram.record(latencyMs);
        if (hedged) {
          controllers[branch === "primary" ? "hedge" : "primary"]?.abort();
          if (branch === "hedge") s.hedgeWins++;
          if (ch.win.hasSubscribers) ch.win.publish({ origin: key, winner: branch, latencyMs, context });
        }
        resolve(response);
      };
      const onError = (branch: Branch) => (error: unknown) => {
        if (branch === "hedge") freeSlot();
        if (settled) return;
        pending--;
        firstError ??= { error };
        // Before a hedge went, the call failed as it would without hedging: retry (outside) decides.
        if (hedged && pending > 0) return;
        settled = true;
        stopTimer();
        reject(firstError.error);
      };

      timer = o.timers.set(() => {
        timer = undefined;
        if (settled) return;
        if (inFlight >= o.maxInFlight) return skip(key, s, "in-flight", context);
        if (!extra.spend()) return skip(key, s, "extra-load", context);
        const budget = o.budget === false ? undefined : (o.budget ?? context.get(attemptBudgetKey));
        if (budget !== undefined && budget.acquire(false) === undefined)
          return skip(key, s, "budget", context);
        hedged = true;
        holdsSlot = true;
        inFlight++;
        pending++;
        s.hedges++;
        const controller = new AbortController();
        controllers.hedge = controller;
        if (ch.hedge.hasSubscribers) {
          ch.hedge.publish({
            origin: key,
            method: request.method,
            url: request.redactedUrl,
            delayMs: delay,
            context,
          });
        }
        send(next, branchRequest(request, controller)).then(onAnswer("hedge"), onError("hedge"));
      }, delay);

      send(next, branchRequest(request, controllers.primary!)).then(onAnswer("primary"), onError("primary"));
    });
  }

  return {
    name: "hedge",
    stage: "policy",
    get inFlight(): number {
      return inFlight;
    },
    handle(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
      if (!o.methods.has(request.method) || !request.hasReplayableBody) return next(request);
      const key = o.key === undefined ? request.origin : o.key(request);
      if (key === undefined || key === "null" || (o.origins !== undefined && !o.origins.has(key))) {
        return next(request);
      }
      const s = statsFor(key);
      s.calls++;
      extra.earn();
      const delay = delayFor(s);
      if (delay !== undefined) return race(request, next, context, key, s, delay);
      // Warming up: time the call to learn the origin's latency.
      const start = now();
      return send(next, request).then((response) => {
        s.histogram.record(now() - start);
        return response;
      });
    },
    snapshot(): readonly HedgeOriginSnapshot[] {
      return [...stats].map(([origin, s]) =>
        Object.freeze({
          origin,
          samples: s.histogram.count,
          p50: s.histogram.quantile(0.5),
          p95: s.histogram.quantile(0.95),
          p99: s.histogram.quantile(0.99),
          delayMs: delayFor(s),
          calls: s.calls,
          hedges: s.hedges,
          hedgeWins: s.hedgeWins,
          skipped: s.skipped,
        }),
      );
    },
  };
}
