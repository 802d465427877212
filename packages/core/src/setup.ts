import type { Chain, ChainOrder } from "./chain.ts";
import { composeChain, orderMiddleware, validateMiddleware } from "./chain.ts";
import { checkSecretHeaders } from "./cross-origin.ts";
import type { DecompressOptions } from "./decompress.ts";
import { decompressLimits } from "./decompress.ts";
import type { DecodeLimits } from "./decompress-stream.ts";
import { InvalidOptionsError } from "./errors.ts";
import type { Middleware } from "./middleware.ts";
import { DEFAULT_CLOSE_GRACE_MS, Pool } from "./pool.ts";
import { DEFAULT_MAX_REDIRECTS } from "./redirect.ts";
import type { RedirectMode } from "./request.ts";
import type { DirectTransport } from "./transport.ts";
import { createDirectTransport } from "./transport.ts";
import type { TransportOptions } from "./transport-options.ts";
import { buildDispatcher } from "./transport-options.ts";

/** Everything `createClient` and `client.reload` take. */
export interface ClientOptions extends TransportOptions, DecompressOptions {
  /** The plugins, in any order: core orders them by stage. */
  readonly middleware?: readonly Middleware[];
  /** `"stage"` orders by stage (list order within a stage); `"as-given"` keeps the list. @default "stage" */
  readonly order?: ChainOrder;
  /** Default whole-call timeout in milliseconds (until response headers, across retries and redirects). */
  readonly timeout?: number;
  /** Default redirect handling. @default "follow" */
  readonly redirect?: RedirectMode;
  /** Default most redirects per call. @default 20 */
  readonly maxRedirects?: number;
  /**
   * Milliseconds `close()` (and a `reload()` retiring the old pool) lets a response body hold its
   * connection when nobody reads it: after each such period, a body nobody asked for, or nobody
   * read from during the period, is released. Bodies being read are waited for.
   * @default 5000
   */
  readonly closeGraceMs?: number;
  /**
   * Header names of your own that carry secrets (e.g. `["x-my-token"]`): like `authorization`, they
   * never follow a redirect or a mirror to another origin. Put in every call's context under
   * `secretHeadersKey`, where plugins that send a request elsewhere read them.
   * @default [] (the names `isSecretHeader()` knows always apply)
   */
  readonly secretHeaders?: readonly string[];
}

/**
 * One generation of a client (core-internal): the chain and the pool built from one set of options.
 * `reload()` builds the next one; calls keep the generation they started on.
 */
export interface Setup {
  readonly chain: Chain;
  /** The transport, when there is no middleware: calls go to it directly. */
  readonly direct: DirectTransport | undefined;
  readonly middleware: readonly Middleware[];
  readonly pool: Pool;
  readonly timeout: number | undefined;
  readonly redirect: RedirectMode;
  readonly maxRedirects: number;
  readonly secretHeaders: readonly string[] | undefined;
  /** How `client.request` decodes bodies when the call does not say (undefined: it does not). */
  readonly decompress: DecodeLimits | undefined;
}

/** Validates `options` (throwing InvalidOptionsError) and builds the chain and pool. */
export function buildSetup(options: ClientOptions): Setup {
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionsError("createClient needs an options object");
  const middleware = orderMiddleware(validateMiddleware(options.middleware ?? []), options.order);
  if (options.timeout !== undefined && (!Number.isFinite(options.timeout) || options.timeout <= 0)) {
    throw new InvalidOptionsError(
      `timeout must be a number of milliseconds > 0, got ${String(options.timeout)}`,
    );
  }
  const redirect = options.redirect ?? "follow";
  if (redirect !== "follow" && redirect !== "manual" && redirect !== "error") {
    throw new InvalidOptionsError(`redirect must be "follow", "manual" or "error", got ${String(redirect)}`);
  }
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
    throw new InvalidOptionsError(`maxRedirects must be an integer >= 0, got ${String(maxRedirects)}`);
  }
  const decompress = decompressLimits(options.decompress);
  const grace = options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  if (typeof grace !== "number" || !Number.isFinite(grace) || grace < 0) {
    throw new InvalidOptionsError(
      `closeGraceMs must be a finite number of milliseconds >= 0, got ${String(grace)}`,
    );
  }
  const secretHeaders = checkSecretHeaders(options.secretHeaders);
  const { dispatcher, owned } = buildDispatcher(options);
  const pool = new Pool(dispatcher, owned, grace);
  const transport = createDirectTransport(dispatcher, pool);
  return {
    chain: composeChain(middleware, (request, context) => transport(request, context, undefined)),
    direct: middleware.length === 0 ? transport : undefined,
    middleware,
    pool,
    timeout: options.timeout,
    redirect,
    maxRedirects,
    secretHeaders,
    decompress,
  };
}
