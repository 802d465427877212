import type { ClientOptions, Middleware } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";

/** Returns a fresh middleware; the suite calls it once per check (and per client in a check). */
export type MiddlewareFactory = () => Middleware;

/** The checks every middleware is held to, in the order they run. */
export const CONFORMANCE_CHECKS = [
  "name-and-stage",
  "no-mutation",
  "streaming",
  "abort",
  "errors",
  "next-twice",
  "no-leftovers",
  "companions",
  "no-secret-leak",
] as const;
Object.freeze(CONFORMANCE_CHECKS);

/** One of {@link CONFORMANCE_CHECKS}. `companions` runs one check per companion: `companion:<name>`. */
export type ConformanceCheckId = (typeof CONFORMANCE_CHECKS)[number];

/** Options of `runConformance` and `describeConformance`. */
export interface ConformanceOptions {
  /**
   * Checks that do not apply, each with the reason (shown in the report). Keys are check ids, or
   * `companion:<name>` to skip one companion.
   * @example { streaming: "the plugin only answers HEAD requests" }
   */
  readonly skip?: Readonly<Record<string, string>>;
  /**
   * Maps each URL the suite requests (`http://127.0.0.1:PORT/__conformance/...`, possibly with
   * userinfo and query) to the URL to hand the client, so that a plugin which acts only on some
   * URLs is exercised: e.g. `(url) => url.replace(/^http:/, "myscheme:")` for a plugin that turns
   * `myscheme:` back into `http:`. The request must still reach the suite's server.
   * @default the identity
   */
  readonly transformUrl?: (url: string) => string;
  /**
   * Official (or other) plugins to compose with, by name: each is combined with the middleware
   * under test in one client (ordered by stage) and a plain GET must succeed through both. The
   * suite imports no plugin itself.
   * @example { retry: () => retry(), "retry-after": () => retryAfter() }
   * @default {} (the companions check is skipped)
   */
  readonly companions?: Readonly<Record<string, MiddlewareFactory>>;
  /**
   * Every diagnostics channel the middleware publishes on (`switchyard:<plugin>:<event>`); the
   * secret check subscribes to these and to core's.
   * @default []
   */
  readonly channels?: readonly string[];
  /**
   * Bytes sent up and streamed down by the streaming check, generated on the fly. Must be at
   * least twice `memoryLimit`, so a middleware that buffers a body cannot stay under the limit.
   * @default 268435456 (256 MiB)
   */
  readonly bodySize?: number;
  /**
   * Most bytes the middleware may hold back while streaming: the lag between bytes produced and
   * bytes delivered, and the growth of the resident set during the measured transfer.
   * @default 67108864 (64 MiB; bare undici streaming lags by about 5 MiB on loopback)
   */
  readonly memoryLimit?: number;
  /**
   * Milliseconds within which an aborted call must reject with core's `AbortError`.
   * @default 1000
   */
  readonly abortWithin?: number;
  /**
   * Milliseconds one check may take before it fails as stuck.
   * @default 60000
   */
  readonly checkTimeout?: number;
  /**
   * Milliseconds the no-leftovers check waits for listeners, sockets and timers to go away after
   * the calls (it stops waiting as soon as they have; only a leaking middleware waits this long).
   * @default 2000
   */
  readonly quietWithin?: number;
  /**
   * Extra `createClient` options for every client the suite builds (TLS, timeouts...);
   * `middleware` and `order` are the suite's.
   * @default {}
   */
  readonly client?: Omit<ClientOptions, "middleware" | "order">;
}

/** Options with every default applied. */
export interface ResolvedConformanceOptions {
  readonly skip: Readonly<Record<string, string>>;
  readonly transformUrl: (url: string) => string;
  readonly companions: Readonly<Record<string, MiddlewareFactory>>;
  readonly channels: readonly string[];
  readonly bodySize: number;
  readonly memoryLimit: number;
  readonly abortWithin: number;
  readonly checkTimeout: number;
  readonly quietWithin: number;
  readonly client: Omit<ClientOptions, "middleware" | "order">;
}

const MiB = 1024 * 1024;

/** Validates `options` and fills in defaults; throws InvalidOptionsError naming the bad option. */
export function resolveConformanceOptions(options: ConformanceOptions = {}): ResolvedConformanceOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError("conformance options must be an object");
  }
  const companions = options.companions ?? {};
  if (typeof companions !== "object" || companions === null) {
    throw new InvalidOptionsError("companions must be an object of name -> factory");
  }
  for (const [name, factory] of Object.entries(companions)) {
    if (typeof factory !== "function") {
      throw new InvalidOptionsError(`companions.${name} must be a function returning a middleware`);
    }
  }
  const skip = options.skip ?? {};
  for (const [id, reason] of Object.entries(skip)) {
    const known =
      (CONFORMANCE_CHECKS as readonly string[]).includes(id) ||
      (id.startsWith("companion:") && Object.hasOwn(companions, id.slice("companion:".length)));
    if (!known) {
      throw new InvalidOptionsError(
        `skip.${id} names no check; expected one of ${CONFORMANCE_CHECKS.join(", ")} or companion:<name>`,
      );
    }
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new InvalidOptionsError(`skip.${id} needs a reason (a non-empty string)`);
    }
  }
  const channels = options.channels ?? [];
  if (!Array.isArray(channels) || channels.some((c) => typeof c !== "string" || c === "")) {
    throw new InvalidOptionsError("channels must be an array of channel names");
  }
  const transformUrl = options.transformUrl ?? ((url: string) => url);
  if (typeof transformUrl !== "function") throw new InvalidOptionsError("transformUrl must be a function");
  const memoryLimit = positive("memoryLimit", options.memoryLimit ?? 64 * MiB);
  const bodySize = positive("bodySize", options.bodySize ?? 256 * MiB);
  if (bodySize < 2 * memoryLimit) {
    throw new InvalidOptionsError(
      `bodySize (${bodySize}) must be at least twice memoryLimit (${memoryLimit}): a middleware that buffers the body must not fit under the limit`,
    );
  }
  const client = options.client ?? {};
  if (typeof client !== "object" || client === null)
    throw new InvalidOptionsError("client must be an object");
  return Object.freeze({
    skip,
    transformUrl,
    companions,
    channels: Object.freeze([...channels]),
    bodySize,
    memoryLimit,
    abortWithin: positive("abortWithin", options.abortWithin ?? 1000),
    checkTimeout: positive("checkTimeout", options.checkTimeout ?? 60_000),
    quietWithin: positive("quietWithin", options.quietWithin ?? 2000),
    client,
  });
}

function positive(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionsError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
