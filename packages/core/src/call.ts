import { releaseWhenCollected } from "./body-lease.ts";
import type { Chain } from "./chain.ts";
import type { Context } from "./context.ts";
import { channels } from "./diagnostics.ts";
import { RedirectError } from "./errors.ts";
import { leaseOf } from "./internals.ts";
import { mapError } from "./map-error.ts";
import type { Pool } from "./pool.ts";
import { redactUrl } from "./redact.ts";
import { isRedirect, redirectRequest } from "./redirect.ts";
import type { HttpRequest, RedirectMode } from "./request.ts";
import type { HttpResponse } from "./response.ts";
import { publishScrubbed } from "./scrub.ts";
import type { Continuation } from "./transport.ts";

/** What a call runs on: the chain and the pool of the client's setup when the call started. */
export interface CallSite {
  readonly chain: Chain;
  readonly pool: Pool;
}

/**
 * One call, from `client.request` until its promise settles (core-internal): everything the call
 * needs on the way back (redirects, the whole-call timer, the pool to report to) in one object.
 * The same object serves both paths: with middleware its methods are the reactions to the chain's
 * promise; without, the transport calls them from undici's callback (see {@link Continuation}).
 */
export class Call implements Continuation {
  readonly request: HttpRequest;
  readonly context: Context;
  readonly #site: CallSite;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #mode: RedirectMode;
  readonly #maxRedirects: number;

  constructor(
    site: CallSite,
    request: HttpRequest,
    context: Context,
    timer: NodeJS.Timeout | undefined,
    mode: RedirectMode,
    maxRedirects: number,
  ) {
    this.#site = site;
    this.request = request;
    this.context = context;
    this.#timer = timer;
    this.#mode = mode;
    this.#maxRedirects = maxRedirects;
    site.pool.begin();
  }

  /** The chain's answer; redirects are rare, so the common path settles synchronously in here. */
  answer(response: HttpResponse): HttpResponse | Promise<HttpResponse> {
    if (this.#mode !== "manual" && isRedirect(response)) {
      return this.#follow(response).then(
        (final) => this.#settle(final),
        (error: unknown) => this.failure(error),
      );
    }
    return this.#settle(response);
  }

  /** Always throws: the call's error, mapped, after the call left its pool. */
  failure(error: unknown): never {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#site.pool.end();
    const request = this.request;
    const mapped = mapError(error, { method: request.method, url: request.url, context: this.context });
    if (channels.error.hasSubscribers) {
      channels.error.publish({
        method: request.method,
        url: redactUrl(request.url),
        error: mapped,
        context: this.context,
      });
    }
    throw mapped;
  }

  #settle(response: HttpResponse): HttpResponse {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#site.pool.end();
    // The caller owns the response from here: a middleware that only watched the body (mirror
    // listens for its errors) did not take it.
    const lease = leaseOf(response);
    if (lease !== undefined) lease.taken = false;
    releaseWhenCollected(response, this.request);
    return response;
  }

  // Each hop is derived from the caller's request of the previous hop and enters the whole chain.
  async #follow(response: HttpResponse): Promise<HttpResponse> {
    const context = this.context;
    let res = response;
    let req = this.request;
    let hops = 0;
    while (isRedirect(res)) {
      if (this.#mode === "error" || hops >= this.#maxRedirects) {
        await res.discard();
        const why =
          this.#mode === "error"
            ? `the server answered ${res.status} and redirect is "error"`
            : `more than ${this.#maxRedirects} redirects`;
        throw new RedirectError(why, { method: req.method, url: redactUrl(res.url), context });
      }
      hops++;
      await res.discard();
      const next = redirectRequest(req, res, context);
      if (channels.redirect.hasSubscribers) {
        publishScrubbed(channels.redirect, {
          method: next.method,
          from: redactUrl(res.url),
          to: redactUrl(next.url),
          status: res.status,
          context,
        });
      }
      req = next;
      res = await this.#site.chain(req, context);
    }
    return hops === 0 ? res : res.with({ redirected: true });
  }
}
