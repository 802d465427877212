import type { Context, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import { abortReason, sleep as coreSleep } from "@switchyard/core";
import { RateLimitExceededError } from "./errors.ts";
import { FleetState } from "./fleet-state.ts";
import { KNOWN_HOSTS } from "./known-hosts.ts";
import { OriginLimiter } from "./origin-limiter.ts";
import { parseRateLimitHeaders } from "./parse-rate-limit-headers.ts";
import { rateLimitChannels as ch } from "./rate-limit-events.ts";
import type { OriginLimits, RateLimitOptions } from "./rate-limit-options.ts";
import { resolveRateLimitOptions } from "./rate-limit-options.ts";

/** One origin as {@link RateLimitMiddleware.snapshot} reports it. */
export interface OriginSnapshot {
  readonly origin: string;
  /** Requests per second allowed now (`Infinity`: not paced). */
  readonly rate: number;
  /** Smoothed measured send rate. */
  readonly measuredRate: number;
  readonly tokens: number;
  readonly inFlight: number;
  readonly queued: number;
  /** No request before this (epoch ms), when paused. */
  readonly pausedUntil: number | undefined;
  readonly throttles: number;
}

/** The middleware {@link rateLimit} returns. */
export interface RateLimitMiddleware extends Middleware {
  readonly name: "rate-limit";
  readonly stage: "send";
  /** Every origin's limiter state, for dashboards. */
  snapshot(): readonly OriginSnapshot[];
  /** Stops listening to the state store (when one was given). */
  close(): void;
}

interface Entry {
  readonly limiter: OriginLimiter;
  readonly fleet: OriginLimits["fleet"];
}

/**
 * An adaptive client-side rate limit per origin: a token bucket whose rate drops by `beta` on each
 * 429/503 and recovers additively, pauses for `Retry-After` and for `RateLimit` / `X-RateLimit-*`
 * headers that say the quota is spent, and a concurrency limit per origin. Waits are abort-aware
 * and bounded by `maxWait`. An origin that never throttles and has no configured limit is not
 * paced at all; only its responses' status and headers are read (bodies are never buffered).
 *
 * Stage `send`: per attempt, after mirror/resolve chose the real origin.
 *
 * @example
 * const client = createClient({
 *   middleware: [rateLimit({ hosts: { "api.example.com": { rate: 50, concurrency: 8 } } })],
 * });
 * const res = await client.request("https://api.example.com/items");
 */
export function rateLimit(options: RateLimitOptions = {}): RateLimitMiddleware {
  const o = resolveRateLimitOptions(options, KNOWN_HOSTS);
  const now = o.now;
  const sleep = o.sleep ?? coreSleep;
  const entries = new Map<string, Entry>();
  const fleet =
    o.stateStore === undefined
      ? undefined
      : new FleetState(o.stateStore, o.storeTimeoutMs, (key, ms) => {
          const entry = entries.get(key);
          if (entry === undefined) return;
          entry.limiter.pause(now(), ms);
          if (ch.pause.hasSubscribers) ch.pause.publish({ origin: key, pauseMs: ms, reason: "fleet" });
        });

  function entryFor(key: string, request: HttpRequest): Entry {
    let entry = entries.get(key);
    if (entry !== undefined) return entry;
    if (entries.size >= o.maxOrigins) entries.delete(entries.keys().next().value!);
    const limits = o.hosts.get(key) ?? o.hosts.get(request.urlParts.hostname) ?? {};
    const limiter = new OriginLimiter(
      { ceiling: limits.rate ?? o.rate, beta: o.beta, increase: o.increase, minRate: o.minRate },
      limits.concurrency ?? o.concurrency,
      o.burstSeconds,
      now(),
    );
    entry = { limiter, fleet: limits.fleet };
    entries.set(key, entry);
    return entry;
  }

  function observe(key: string, limiter: OriginLimiter, response: HttpResponse): void {
    const t = now();
    const hints = parseRateLimitHeaders((name) => response.headers.get(name), t);
    if (o.throttleStatuses.has(response.status)) {
      // The bucket settles what the old rate earned first; then the rate drops.
      limiter.onThrottle(t);
      const previousRate = limiter.rate.throttle(t);
      const pauseMs = hints?.retryAfterMs ?? (hints?.remaining === 0 ? hints.resetMs : undefined) ?? 0;
      if (pauseMs > 0) {
        limiter.pause(t, pauseMs);
        fleet?.publishPause(key, pauseMs);
      }
      if (ch.throttle.hasSubscribers) {
        ch.throttle.publish({
          origin: key,
          status: response.status,
          previousRate,
          rate: limiter.rate.rate,
          pauseMs,
        });
      }
      return;
    }
    if (hints !== undefined) {
      if (hints.limit !== undefined && hints.windowMs !== undefined)
        limiter.rate.learnQuota(hints.limit, hints.windowMs, t);
      if (hints.remaining === 0 && hints.resetMs !== undefined && hints.resetMs > 0) {
        limiter.pause(t, hints.resetMs);
        fleet?.publishPause(key, hints.resetMs);
        if (ch.pause.hasSubscribers)
          ch.pause.publish({ origin: key, pauseMs: hints.resetMs, reason: "quota spent" });
      }
    }
    if (limiter.rate.success(t) === "recovered" && ch.recover.hasSubscribers) {
      ch.recover.publish({ origin: key, rate: limiter.rate.rate });
    }
  }

  // Sends and reads the answer; a concurrency slot (when held) is given back when the body ends.
  function send(
    key: string,
    limiter: OriginLimiter,
    request: HttpRequest,
    next: Next,
    slot: boolean,
  ): Promise<HttpResponse> {
    limiter.rate.recordSend(now());
    let sent: Promise<HttpResponse>;
    try {
      sent = next(request);
    } catch (error) {
      sent = Promise.reject(error);
    }
    if (!slot) {
      return sent.then((response) => {
        observe(key, limiter, response);
        return response;
      });
    }
    return sent.then(
      (response) => {
        observe(key, limiter, response);
        const body = response.hasBody ? response.body : undefined;
        if (body === undefined || body.destroyed || body.readableEnded) limiter.releaseSlot();
        else body.once("close", () => limiter.releaseSlot());
        return response;
      },
      (error: unknown) => {
        limiter.releaseSlot();
        throw error;
      },
    );
  }

  async function gated(
    key: string,
    entry: Entry,
    request: HttpRequest,
    next: Next,
    context: Context,
  ): Promise<HttpResponse> {
    const { limiter } = entry;
    const signal = request.signal;
    const where = { method: request.method, url: request.redactedUrl };
    const t = now();
    const wait = limiter.reserve(t);
    if (wait > o.maxWait) {
      limiter.unreserve();
      if (ch.reject.hasSubscribers) ch.reject.publish({ origin: key, ...where, waitMs: wait, context });
      throw new RateLimitExceededError(key, wait, o.maxWait, t, { ...where, context });
    }
    if (wait > 0) {
      if (ch.wait.hasSubscribers)
        ch.wait.publish({ origin: key, ...where, delayMs: wait, reason: "rate", context });
      try {
        await sleep(wait, signal);
      } catch (error) {
        limiter.unreserve();
        throw signal?.aborted ? abortReason(signal, where, "while waiting for the rate limit") : error;
      }
    }
    if (entry.fleet !== undefined && fleet !== undefined) {
      const fleetWait = await fleet.admit(key, entry.fleet.limit, entry.fleet.windowMs);
      if (fleetWait > o.maxWait) {
        if (ch.reject.hasSubscribers)
          ch.reject.publish({ origin: key, ...where, waitMs: fleetWait, context });
        throw new RateLimitExceededError(key, fleetWait, o.maxWait, now(), { ...where, context });
      }
      if (fleetWait > 0) {
        if (ch.wait.hasSubscribers)
          ch.wait.publish({ origin: key, ...where, delayMs: fleetWait, reason: "fleet", context });
        await sleep(fleetWait, signal).catch((error: unknown) => {
          throw signal?.aborted
            ? abortReason(signal, where, "while waiting for the fleet's rate limit")
            : error;
        });
      }
    }
    const limited = limiter.maxConcurrent !== Number.POSITIVE_INFINITY;
    if (limited) {
      const queued = limiter.acquireSlot(signal, () =>
        abortReason(signal!, where, "while waiting for a concurrency slot"),
      );
      if (queued !== undefined) {
        if (ch.wait.hasSubscribers)
          ch.wait.publish({ origin: key, ...where, delayMs: 0, reason: "concurrency", context });
        await queued;
      }
    }
    return send(key, limiter, request, next, limited);
  }

  return {
    name: "rate-limit",
    stage: "send",
    handle(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
      const key = o.key === undefined ? request.origin : o.key(request);
      if (key === undefined || key === "null" || (o.origins !== undefined && !o.origins.has(key))) {
        return next(request);
      }
      const entry = entryFor(key, request);
      if (entry.fleet === undefined && entry.limiter.isFree(now())) {
        return send(key, entry.limiter, request, next, false);
      }
      return gated(key, entry, request, next, context);
    },
    snapshot(): readonly OriginSnapshot[] {
      const t = now();
      return [...entries].map(([origin, { limiter }]) =>
        Object.freeze({
          origin,
          rate: limiter.rate.rate,
          measuredRate: limiter.rate.measured,
          tokens: limiter.tokens,
          inFlight: limiter.inFlight,
          queued: limiter.queued,
          pausedUntil: limiter.pausedUntil > t ? limiter.pausedUntil : undefined,
          throttles: limiter.rate.throttles,
        }),
      );
    },
    close(): void {
      fleet?.close();
    },
  };
}
