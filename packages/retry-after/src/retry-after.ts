import type { Context, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import {
  afterAnswer,
  checkStore,
  InvalidOptionsError,
  notBeforeKey,
  pluginChannel,
  redactUrl,
  type StateStore,
} from "@switchyard/core";
import { DeadlineStore } from "./deadline-store.ts";
import { RetryAfterTooLongError } from "./errors.ts";
import { parseRateLimitReset, parseXRateLimitReset } from "./parse-rate-limit-reset.ts";
import { parseRetryAfter } from "./parse-retry-after.ts";
import { SharedDeadlines } from "./shared-deadlines.ts";
import type { Sleep } from "./sleep.ts";
import { abortReason, sleep as defaultSleep } from "./sleep.ts";

/** How requests are grouped into targets that share a deadline. */
export type RetryAfterKey = "origin" | "url" | ((request: HttpRequest) => string);

/** Options of {@link retryAfter}. */
export interface RetryAfterOptions {
  /**
   * Statuses whose `Retry-After` is recorded: the two RFC 9110 gives it a waiting meaning for.
   * @default [429, 503]
   */
  readonly statuses?: readonly number[];
  /**
   * What shares a deadline: `"origin"` (scheme, host and port: servers rate-limit per host),
   * `"url"` (the URL without userinfo and fragment), or a function of the request.
   * @default "origin"
   */
  readonly key?: RetryAfterKey;
  /**
   * Longest wait in milliseconds. A deadline further away fails the call at once with
   * `RetryAfterTooLongError` stating the deadline, instead of holding it for an hour.
   * @default 60000 (one minute: long enough for typical 429/503 hints, short enough for a person)
   */
  readonly maxWait?: number;
  /**
   * How many targets the built-in store remembers (least recently used dropped first). Ignored
   * when `store` is given.
   * @default 1000
   */
  readonly capacity?: number;
  /** A store to use instead of a new one, e.g. to share deadlines between clients. */
  readonly store?: DeadlineStore;
  /**
   * Also read `RateLimit-Reset` (delay in seconds) and `X-RateLimit-Reset` (delay or Unix time in
   * seconds) when a recorded status has no valid `Retry-After`. Off because the `X-` form has no
   * standard meaning and some servers send it on every response.
   * @default false
   */
  readonly rateLimitReset?: boolean;
  /**
   * A state store shared with other processes (`sqliteStore()`, `redisStore()`...), so that one
   * 429 holds back every process until the server's deadline. Shared: each target's deadline, under
   * a hashed key (`retry-after:<hash>`), kept-the-later in the store. Requests still wait on this
   * process's local view only; other processes' deadlines arrive by change notification, and the
   * first request to a target starts one background read. A slow or dead store never fails or
   * delays a request (core's `guardStateStore`). Close the store when done.
   * @default undefined (deadlines stay in this process)
   */
  readonly stateStore?: StateStore;
  /**
   * Longest wait for one state-store operation, in milliseconds, before falling back to local
   * state (see core's `guardStateStore`).
   * @default 50
   */
  readonly stateStoreTimeoutMs?: number;
  /** The clock, in epoch milliseconds (a seam for tests). @default Date.now */
  readonly now?: () => number;
  /** The abort-aware wait (a seam for tests). @default a cancellable setTimeout */
  readonly sleep?: Sleep;
}

/** The middleware {@link retryAfter} returns: its store is exposed for inspection. */
export interface RetryAfterMiddleware extends Middleware {
  /** The per-target deadlines. */
  readonly store: DeadlineStore;
}

/** Longest wait setTimeout can express (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER = 2_147_483_647;

const waitChannel = pluginChannel("retry-after", "wait");
const recordChannel = pluginChannel("retry-after", "record");
const rejectChannel = pluginChannel("retry-after", "reject");
const invalidChannel = pluginChannel("retry-after", "invalid");

/**
 * Honours `Retry-After` on 429 and 503: records the server's deadline for the target, and before
 * each later request to that target waits until it (abort-aware), setting core's `notBeforeKey`
 * so that an outer `@switchyard/retry` waits the longer of its backoff and the hint, never the sum.
 *
 * Stage `send`: per attempt, right before the transport, after mirror/resolve/auth chose the
 * real target. Waiting holds no lock: a request to another target never waits for this one.
 *
 * @example
 * const client = createClient({ middleware: [retryAfter({ maxWait: 30_000 })] });
 * const res = await client.request("https://api.example.com/items"); // waits if told to
 */
export function retryAfter(options: RetryAfterOptions = {}): RetryAfterMiddleware {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError("retryAfter() options must be an object");
  }
  const statuses = new Set(checkStatuses(options.statuses ?? [429, 503]));
  const keyOf = keyFunction(options.key ?? "origin");
  const maxWait = options.maxWait ?? 60_000;
  if (typeof maxWait !== "number" || !(maxWait >= 0) || maxWait > MAX_TIMER) {
    throw new InvalidOptionsError(
      `maxWait must be a number of milliseconds from 0 to ${MAX_TIMER}, got ${String(maxWait)}`,
    );
  }
  if (options.store !== undefined && !(options.store instanceof DeadlineStore)) {
    throw new InvalidOptionsError("store must be a DeadlineStore");
  }
  const store = options.store ?? new DeadlineStore({ capacity: options.capacity });
  const rateLimitReset = options.rateLimitReset ?? false;
  const now = checkFunction("now", options.now) ?? Date.now;
  const sleep = checkFunction("sleep", options.sleep) ?? defaultSleep;
  const shared =
    options.stateStore === undefined
      ? undefined
      : new SharedDeadlines(store, checkStore(options.stateStore), now, options.stateStoreTimeoutMs);

  function record(request: HttpRequest, response: HttpResponse, context: Context, key: string): void {
    const at = now();
    let deadline: number | undefined;
    let header = "retry-after";
    const value = response.headers.get("retry-after");
    if (value !== undefined) {
      deadline = parseRetryAfter(value, at);
      if (deadline === undefined) invalid(request, header, value);
    }
    if (deadline === undefined && rateLimitReset) {
      for (const [name, parse] of RESET_HEADERS) {
        const reset = response.headers.get(name);
        if (reset === undefined) continue;
        deadline = parse(reset, at);
        if (deadline !== undefined) {
          header = name;
          break;
        }
        invalid(request, name, reset);
      }
    }
    if (deadline === undefined || deadline <= at) return;
    store.set(key, deadline, at);
    const wait = deadline - at;
    if (shared !== undefined) void shared.publish(key, wait);
    // A hint beyond maxWait is kept in the store (the next request fails fast) but not handed to
    // retry, which would otherwise sleep for it.
    if (wait <= maxWait) {
      const previous = context.get(notBeforeKey);
      if (previous === undefined || previous < deadline) context.set(notBeforeKey, deadline);
    }
    if (recordChannel.hasSubscribers) {
      recordChannel.publish({
        method: request.method,
        url: redactUrl(request.url),
        status: response.status,
        header,
        deadline,
        delay: wait,
        context,
      });
    }
  }

  // Filed with core's afterAnswer: in the transport's callback when nothing inside wraps the answer.
  const recordIfHinted = (response: HttpResponse, sent: Sent): HttpResponse => {
    if (statuses.has(response.status)) record(sent.request, response, sent.context, sent.key);
    return response;
  };

  function send(request: HttpRequest, next: Next, context: Context, key: string): Promise<HttpResponse> {
    return afterAnswer(next(request), recordIfHinted, undefined, { request, context, key });
  }

  return {
    name: "retry-after",
    stage: "send",
    store,
    handle(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
      let key: string;
      try {
        key = keyOf(request);
      } catch (error) {
        return Promise.reject(error);
      }
      if (shared !== undefined) {
        key = shared.keyOf(key);
        shared.firstContact(key);
      }
      // Nearly every call finds the store empty: no clock read, no lookup.
      if (store.size === 0) return send(request, next, context, key);
      const at = now();
      const deadline = store.get(key, at);
      if (deadline === undefined) return send(request, next, context, key);
      const wait = deadline - at;
      const where = { method: request.method, url: redactUrl(request.url), context };
      if (wait > maxWait) {
        const error = new RetryAfterTooLongError(deadline, wait, maxWait, where);
        if (rejectChannel.hasSubscribers) {
          rejectChannel.publish({ ...where, deadline, delay: wait, maxWait });
        }
        return Promise.reject(error);
      }
      if (waitChannel.hasSubscribers) waitChannel.publish({ ...where, deadline, delay: wait });
      const signal = request.signal;
      return sleep(wait, signal).then(
        () => {
          const previous = context.get(notBeforeKey);
          if (previous === undefined || previous < deadline) context.set(notBeforeKey, deadline);
          return send(request, next, context, key);
        },
        (reason: unknown) => {
          throw signal?.aborted ? abortReason(signal, where) : reason;
        },
      );
    },
  };
}

/** What an answer's reaction needs of the attempt it answers. */
interface Sent {
  readonly request: HttpRequest;
  readonly context: Context;
  readonly key: string;
}

const RESET_HEADERS: ReadonlyArray<readonly [string, (value: string, now: number) => number | undefined]> = [
  ["ratelimit-reset", parseRateLimitReset],
  ["x-ratelimit-reset", parseXRateLimitReset],
];

function invalid(request: HttpRequest, header: string, value: string): void {
  if (!invalidChannel.hasSubscribers) return;
  // The value is not a secret, but it is the server's free text: keep it short.
  invalidChannel.publish({
    method: request.method,
    url: redactUrl(request.url),
    header,
    value: value.slice(0, 64),
  });
}

function checkStatuses(statuses: readonly number[]): readonly number[] {
  if (!Array.isArray(statuses)) throw new InvalidOptionsError("statuses must be an array of HTTP statuses");
  for (const status of statuses) {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new InvalidOptionsError(`statuses must hold HTTP statuses (100-599), got ${String(status)}`);
    }
  }
  return statuses;
}

function keyFunction(key: RetryAfterKey): (request: HttpRequest) => string {
  if (key === "origin") return (request) => request.origin;
  if (key === "url") {
    return (request) => {
      const url = request.urlParts;
      return url.origin + url.pathname + url.search;
    };
  }
  if (typeof key === "function") {
    return (request) => {
      const value = key(request);
      if (typeof value !== "string") {
        throw new InvalidOptionsError(`the key function must return a string, got ${typeof value}`);
      }
      return value;
    };
  }
  throw new InvalidOptionsError(`key must be "origin", "url" or a function, got ${String(key)}`);
}

function checkFunction<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new InvalidOptionsError(`${name} must be a function`);
  }
  return value;
}
