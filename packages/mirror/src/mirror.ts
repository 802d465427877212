import type { Context, HttpRequest, Middleware, Next } from "@switchyard/core";
import type { MirrorsConfig } from "./mirror-config.ts";
import type { MirrorOptions } from "./mirror-options.ts";
import { resolveOptions } from "./mirror-options.ts";
import type { MirrorPool, PoolSnapshot } from "./mirror-pool.ts";
import { MirrorTable } from "./mirror-table.ts";
import { routeThroughMirrors } from "./route-through-mirrors.ts";
import { SharedHealth } from "./shared-health.ts";

/** The middleware `mirror()` returns, with run-time control over its pools. */
export interface MirrorMiddleware extends Middleware {
  readonly name: "mirror";
  readonly stage: "route";
  /**
   * Replaces the whole mirrors table at run time. Prefixes present before and after keep their
   * pool, and mirrors present in both keep their history (nats.rs `set_server_pool`). The table is
   * validated first: an invalid one throws InvalidOptionsError and changes nothing.
   */
  setMirrors(mirrors: MirrorsConfig): void;
  /** The pool of a configured prefix (any spelling: trailing slashes do not matter). */
  pool(prefix: string): MirrorPool | undefined;
  /** Every pool's state, read-only, for logs and UIs (URLs redacted). */
  snapshot(): readonly PoolSnapshot[];
}

/**
 * Routes requests under configured URL prefixes to mirrors, failing over across a pool that is
 * ordered by each mirror's past failures. Stage `route`: outside `resolve` (so a mirror may be an
 * `oci://` or `s3://` URL) and `authorize` (so credentials are looked up for the mirror's host).
 *
 * @example
 * const client = createClient({
 *   middleware: [
 *     mirror({
 *       mirrors: {
 *         "https://conda.anaconda.org/conda-forge": [
 *           "https://mirror.example.com/conda-forge",
 *           { url: "oci://ghcr.io/channel-mirrors/conda-forge", noBz2: true },
 *         ],
 *       },
 *       fallbackToOrigin: true,
 *     }),
 *   ],
 * });
 * const res = await client.request("https://conda.anaconda.org/conda-forge/noarch/repodata.json");
 */
export function mirror(options: MirrorOptions): MirrorMiddleware {
  const resolved = resolveOptions(options);
  const health =
    resolved.stateStore === undefined
      ? undefined
      : new SharedHealth({
          store: resolved.stateStore,
          cooldownMs: resolved.cooldownMs,
          failureDecayMs: resolved.failureDecayMs,
          now: resolved.now,
          timeoutMs: resolved.stateStoreTimeoutMs,
        });
  const table = new MirrorTable(options.mirrors, {
    cooldownMs: resolved.cooldownMs,
    failureDecayMs: resolved.failureDecayMs,
    defaults: { maxFailures: resolved.maxFailures, fallbackToOrigin: resolved.fallbackToOrigin },
    now: resolved.now,
    health,
  });
  health?.attach(() => table.entries());
  const methods = resolved.methods;
  return Object.freeze({
    name: "mirror",
    stage: "route",
    handle(request: HttpRequest, next: Next, context: Context) {
      if (!methods.has(request.method)) return next(request);
      const match = table.match(request);
      if (match === undefined) return next(request);
      return routeThroughMirrors(request, next, context, match.pool, match.rest, resolved);
    },
    setMirrors(mirrors: MirrorsConfig): void {
      table.set(mirrors);
      health?.contact();
    },
    pool(prefix: string): MirrorPool | undefined {
      return table.pool(prefix);
    },
    snapshot(): readonly PoolSnapshot[] {
      return table.snapshot();
    },
  } as const);
}
