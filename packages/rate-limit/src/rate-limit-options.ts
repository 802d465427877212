import type { HttpRequest, StateStore } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";
import type { Sleep } from "./sleep.ts";

/** Limits for one origin or host. */
export interface OriginLimits {
  /** Ceiling in requests per second. @default the client-wide `rate` */
  readonly rate?: number;
  /** Requests in flight at once (a request holds its slot until its body is read or discarded). @default the client-wide `concurrency` */
  readonly concurrency?: number;
  /**
   * A limit the whole fleet shares through `stateStore`: at most `limit` requests per `windowMs`
   * (a fixed window counted in the store, started by its first request).
   */
  readonly fleet?: { readonly limit: number; readonly windowMs: number };
}

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /**
   * Ceiling for every origin, in requests per second. Without one an origin is not paced until the
   * server throttles it (the AWS SDK's adaptive mode also starts disabled).
   * @default Infinity
   */
  readonly rate?: number;
  /** Requests in flight at once per origin. @default Infinity */
  readonly concurrency?: number;
  /**
   * Limits per origin (`https://api.example.com`) or host (`api.example.com`, any scheme and port);
   * an origin entry wins over a host entry, both over `knownHosts` and the client-wide values.
   * @default {}
   */
  readonly hosts?: Readonly<Record<string, OriginLimits>>;
  /** Applies the documented limits of a few well-known APIs (see `KNOWN_HOSTS`). @default false */
  readonly knownHosts?: boolean;
  /** Only these origins are limited; others pass through untouched. @default every origin */
  readonly origins?: readonly string[];
  /** What shares a limiter: a function of the request (no secrets). @default the request's origin */
  readonly key?: (request: HttpRequest) => string | undefined;
  /** Statuses that mean "too fast". @default [429, 503] */
  readonly throttleStatuses?: readonly number[];
  /**
   * Multiplier on a throttle (0 < beta < 1).
   * @default 0.7 (the AWS SDK adaptive mode's beta: a firm but not drastic cut)
   */
  readonly beta?: number;
  /**
   * Requests per second regained per second without a throttle (additive recovery).
   * @default 5 % of the rate at the last throttle per second, at least 0.5 (back in about 6 s after one 0.7 cut)
   */
  readonly increase?: number;
  /** The rate never drops below this, in requests per second. @default 0.5 (the AWS SDK's minimum fill rate) */
  readonly minRate?: number;
  /** Seconds of tokens the bucket holds (the burst allowed after an idle spell). @default 1 */
  readonly burstSeconds?: number;
  /**
   * Longest wait before a request, in milliseconds; a longer one fails at once with
   * `RateLimitExceededError` instead of holding the caller.
   * @default 60000
   */
  readonly maxWait?: number;
  /** Most origins kept (least recently created forgotten first). @default 1000 */
  readonly maxOrigins?: number;
  /**
   * A shared state store: pauses the servers ask for are shared (`extendDeadline`), and `fleet`
   * limits are counted in it (`increment`), so a fleet stays under one upstream limit.
   * @default undefined (state stays in this process)
   */
  readonly stateStore?: StateStore;
  /**
   * Longest wait for the store on a request that needs it (fleet limits); past it the limiter
   * decides locally and publishes a `store-error` event.
   * @default 100
   */
  readonly storeTimeoutMs?: number;
  /** The clock, in epoch milliseconds (a seam for tests). @default Date.now */
  readonly now?: () => number;
  /** The abort-aware wait (a seam for tests). @default core's sleep */
  readonly sleep?: Sleep;
}

/** Options after validation. */
export interface ResolvedRateLimitOptions {
  readonly rate: number;
  readonly concurrency: number;
  readonly hosts: ReadonlyMap<string, OriginLimits>;
  readonly origins: ReadonlySet<string> | undefined;
  readonly key: ((request: HttpRequest) => string | undefined) | undefined;
  readonly throttleStatuses: ReadonlySet<number>;
  readonly beta: number;
  readonly increase: number | undefined;
  readonly minRate: number;
  readonly burstSeconds: number;
  readonly maxWait: number;
  readonly maxOrigins: number;
  readonly stateStore: StateStore | undefined;
  readonly storeTimeoutMs: number;
  readonly now: () => number;
  readonly sleep: Sleep | undefined;
}

function fail(message: string): never {
  throw new InvalidOptionsError(`rateLimit: ${message}`);
}

function positive(name: string, value: unknown, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" ||
    Number.isNaN(value) ||
    !(value > 0) ||
    (!allowInfinity && !Number.isFinite(value))
  ) {
    fail(`${name} must be a number > 0, got ${String(value)}`);
  }
  return value;
}

function checkLimits(where: string, limits: OriginLimits, hasStore: boolean): OriginLimits {
  if (typeof limits !== "object" || limits === null) fail(`${where} must be an object`);
  positive(`${where}.rate`, limits.rate, 1, true);
  positive(`${where}.concurrency`, limits.concurrency, 1, true);
  if (limits.fleet !== undefined) {
    if (!hasStore) fail(`${where}.fleet needs a stateStore to count in`);
    positive(`${where}.fleet.limit`, limits.fleet.limit, 1);
    positive(`${where}.fleet.windowMs`, limits.fleet.windowMs, 1);
  }
  return limits;
}

/** Validates `options` and fills in defaults; throws `InvalidOptionsError` on the first bad one. */
export function resolveRateLimitOptions(
  options: RateLimitOptions,
  knownHosts: Readonly<Record<string, OriginLimits>>,
): ResolvedRateLimitOptions {
  if (typeof options !== "object" || options === null) fail("options must be an object");
  const store = options.stateStore;
  if (
    store !== undefined &&
    (typeof store !== "object" || store === null || typeof store.increment !== "function")
  ) {
    fail("stateStore must implement core's StateStore");
  }
  const hosts = new Map<string, OriginLimits>();
  if (options.knownHosts === true) for (const [k, v] of Object.entries(knownHosts)) hosts.set(k, v);
  else if (options.knownHosts !== undefined && options.knownHosts !== false)
    fail("knownHosts must be a boolean");
  if (options.hosts !== undefined) {
    if (typeof options.hosts !== "object" || options.hosts === null) fail("hosts must be an object");
    for (const [k, v] of Object.entries(options.hosts))
      hosts.set(k, checkLimits(`hosts[${JSON.stringify(k)}]`, v, store !== undefined));
  }
  const statuses = options.throttleStatuses ?? [429, 503];
  if (!Array.isArray(statuses) || statuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
    fail("throttleStatuses must be a list of HTTP status codes");
  }
  const beta = options.beta ?? 0.7;
  if (typeof beta !== "number" || !(beta > 0 && beta < 1))
    fail(`beta must be in (0, 1), got ${String(beta)}`);
  const origins = options.origins;
  if (origins !== undefined && (!Array.isArray(origins) || origins.some((o) => typeof o !== "string"))) {
    fail("origins must be a list of origins such as https://example.com");
  }
  for (const name of ["key", "now", "sleep"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function")
      fail(`${name} must be a function`);
  }
  const maxOrigins = options.maxOrigins ?? 1000;
  if (!Number.isInteger(maxOrigins) || maxOrigins < 1)
    fail(`maxOrigins must be an integer >= 1, got ${String(maxOrigins)}`);
  const maxWait = options.maxWait ?? 60_000;
  if (typeof maxWait !== "number" || !(maxWait >= 0))
    fail(`maxWait must be a number >= 0, got ${String(maxWait)}`);
  return {
    rate: positive("rate", options.rate, Number.POSITIVE_INFINITY, true),
    concurrency: positive("concurrency", options.concurrency, Number.POSITIVE_INFINITY, true),
    hosts,
    origins: origins === undefined ? undefined : new Set(origins.map(originOf)),
    key: options.key,
    throttleStatuses: new Set(statuses),
    beta,
    increase: options.increase === undefined ? undefined : positive("increase", options.increase, 1),
    minRate: positive("minRate", options.minRate, 0.5),
    burstSeconds: positive("burstSeconds", options.burstSeconds, 1),
    maxWait,
    maxOrigins,
    stateStore: store,
    storeTimeoutMs: positive("storeTimeoutMs", options.storeTimeoutMs, 100),
    now: options.now ?? Date.now,
    sleep: options.sleep,
  };
}

function originOf(text: string): string {
  try {
    const origin = new URL(text).origin;
    if (origin !== "null") return origin;
  } catch {
    // reported below
  }
  return fail(
    `${JSON.stringify(text.replace(/\/\/[^@/]*@/, "//***@").slice(0, 100))} is not an origin such as https://example.com`,
  );
}
