import type { CacheMode, Context, HttpRequest, HttpResponse, Next } from "@switchyard/core";
import { afterAnswer, HttpResponse as Response } from "@switchyard/core";
import type CachePolicy from "http-cache-semantics";
import type { FlowParts } from "./admit.ts";
import { admit, saysNoStore, stateTtl } from "./admit.ts";
import { credentialIdentity } from "./cache-key.ts";
import type { ResolvedCacheOptions } from "./cache-options.ts";
import type { EntryIndex, Found } from "./entry-index.ts";
import type { EntryMeta } from "./entry-meta.ts";
import { varyMatches, varySelection, writeMeta } from "./entry-meta.ts";
import { CacheMissError } from "./errors.ts";
import { cacheChannels, publish } from "./events.ts";
import type { FleetFlights } from "./fleet-flights.ts";
import { Flights } from "./flights.ts";
import { invalidate } from "./invalidate.ts";
import { policyRequest, policyResponse } from "./policy.ts";
import { callFields, tagResponse } from "./respond.ts";
import { conditionals, validatorsChanged } from "./revalidation-headers.ts";
import { serveEntry, staleForError } from "./serve-entry.ts";

type PolicyRequest = CachePolicy.Request;
type Answer = HttpResponse | { readonly wait: Promise<void> } | undefined;

// A revalidation in the background outlives the caller's call: it must not die with its signal.
const NEVER: AbortSignal = new AbortController().signal;
// How often a call waits for another call's fill of the same key before fetching on its own.
const MAX_WAITS = 3;

/** The cache's decisions for one call (the middleware only routes calls here). */
export class CacheFlow {
  readonly #o: ResolvedCacheOptions;
  readonly #index: EntryIndex;
  readonly #flights = new Flights();
  readonly #background = new Set<Promise<unknown>>();
  readonly #parts: FlowParts;
  readonly #fleet: FleetFlights | undefined;

  constructor(
    options: ResolvedCacheOptions,
    index: EntryIndex,
    policy: typeof CachePolicy,
    fleet?: FleetFlights,
  ) {
    this.#o = options;
    this.#index = index;
    this.#fleet = fleet;
    this.#parts = { o: options, index, Policy: policy, track: (task) => this.#track(task) };
  }

  /** Resolves when background work and flights in progress are done. */
  async idle(): Promise<void> {
    for (let i = 0; i < 100 && (this.#background.size > 0 || this.#flights.all().length > 0); i++) {
      await Promise.allSettled([...this.#background, ...this.#flights.all()]);
    }
  }

  /** An unsafe method: on success, the stored responses for its URL, Location and Content-Location go (RFC 9111 §4.4). */
  unsafe(request: HttpRequest, next: Next): Promise<HttpResponse> {
    return afterAnswer(next(request), invalidateAfter, undefined, { parts: this.#parts, request });
  }

  /** A key whose last answer could not be stored: the network, then store it if it now may be. */
  fetchUncached(request: HttpRequest, next: Next, context: Context, key: string): Promise<HttpResponse> {
    // Filed with core's afterAnswer: the reaction runs in the transport's callback when nothing
    // inside wraps the answer (a no-store pass-through costs no promise hop of its own).
    return afterAnswer(next(request), admitUncached, undefined, {
      parts: this.#parts,
      request,
      context,
      key,
    });
  }

  /** A GET the cache may answer. */
  async get(
    request: HttpRequest,
    next: Next,
    context: Context,
    mode: CacheMode,
    key: string,
    credential: string,
  ): Promise<HttpResponse> {
    const preq = policyRequest(request, key);
    if (mode === "reload")
      return this.#fill(request, next, context, key, credential, undefined, "reload", undefined);
    let reason = "absent";
    const arrived = this.#o.now();
    let fleetUntil: number | undefined;
    for (let waits = 0; ; ) {
      const found = await this.#index.lookup(key);
      const mayJoin = this.#o.coalesce && waits < MAX_WAITS;
      if (found !== undefined) {
        if (found.meta.credential !== credential) reason = "credential";
        else if (!varyMatches(found.meta.vary, preq.headers)) reason = "vary";
        else if (waits > 0 && found.meta.policy.t >= arrived && mode !== "no-cache") {
          // Joined another call's fill or revalidation that went out after this call arrived:
          // its answer is as current as this call's own would be (RFC 9111 §4, collapsed requests).
          const served = await serveEntry(this.#parts, request, context, found, "hit");
          if (served !== undefined) return served;
          reason = "corrupt";
        } else {
          const answer = await this.#fromEntry(
            request,
            next,
            context,
            mode,
            key,
            credential,
            preq,
            found,
            mayJoin,
            false,
          );
          if (answer instanceof Response) return answer;
          if (answer !== undefined) {
            waits++;
            await answer.wait;
            continue;
          }
          reason = "corrupt";
        }
      }
      if (mode === "only-if-cached") throw new CacheMissError({ ...callFields(request, context) });
      const flightKey = this.#flightKey(key, credential, found, preq);
      const flight = mayJoin ? this.#flights.get(flightKey) : undefined;
      if (flight !== undefined) {
        waits++;
        await flight;
        continue;
      }
      let release: (() => void) | undefined;
      if (mayJoin && this.#fleet !== undefined) {
        // Another process may be filling this key: wait (bounded) for its entry, then look again.
        const claim = await this.#fleet.claim(flightKey);
        fleetUntil ??= Date.now() + this.#o.coalesceWaitMs;
        if (claim === "held" && Date.now() < fleetUntil) {
          waits++;
          await this.#fleet.wait(flightKey, key, fleetUntil);
          this.#index.unremember(key);
          continue;
        }
        if (claim !== "held") release = claim?.release;
      }
      const stale = found !== undefined && reason !== "corrupt" ? found : undefined;
      return this.#fill(request, next, context, key, credential, stale, reason, flightKey, release);
    }
  }

  async #fromEntry(
    request: HttpRequest,
    next: Next,
    context: Context,
    mode: CacheMode,
    key: string,
    credential: string,
    preq: PolicyRequest,
    found: Found,
    mayJoin: boolean,
    reread: boolean,
  ): Promise<Answer> {
    const policy = found.policy;
    if (mode === "force-cache" || mode === "only-if-cached") {
      return serveEntry(
        this.#parts,
        request,
        context,
        found,
        policy.stale() ? "stale" : "hit",
        "force-cache",
      );
    }
    if (mode !== "no-cache") {
      const evaluated = policy.evaluateRequest(preq);
      if (evaluated.response !== undefined) {
        if (evaluated.revalidation === undefined)
          return serveEntry(this.#parts, request, context, found, "hit");
        if (!evaluated.revalidation.synchronous && this.#o.staleWhileRevalidate) {
          const served = await serveEntry(
            this.#parts,
            request,
            context,
            found,
            "stale",
            "stale-while-revalidate",
          );
          if (served !== undefined)
            this.#revalidateLater(request, next, context, key, credential, preq, found);
          return served;
        }
      }
      // Stale as this process remembers it: another process may have revalidated it since. Not for
      // an entry with no lifetime at all (no-cache, max-age=0): no process writes a 304's answer
      // for it to the store (see #afterRevalidation), so the re-read would only cost a disk read.
      if (!reread && policy.maxAge() > 0) {
        const latest = await this.#index.load(key);
        if (latest !== undefined && latest.entry.metadata !== found.entry.metadata) {
          if (latest.meta.credential === credential && varyMatches(latest.meta.vary, preq.headers))
            return this.#fromEntry(
              request,
              next,
              context,
              mode,
              key,
              credential,
              preq,
              latest,
              mayJoin,
              true,
            );
        }
      }
    }
    const flightKey = this.#flightKey(key, credential, found, preq);
    const flight = mayJoin ? this.#flights.get(flightKey) : undefined;
    if (flight !== undefined) return { wait: flight };
    const headers = conditionals(policy, preq);
    if (headers === undefined)
      return this.#fill(request, next, context, key, credential, found, "expired", flightKey);
    const land = this.#flights.enter(flightKey);
    let res: HttpResponse;
    try {
      res = await next(request.with({ headers }));
    } catch (error) {
      land();
      const stale = await staleForError(this.#parts, request, context, found);
      if (stale !== undefined) return stale;
      throw error;
    }
    return this.#afterRevalidation(request, next, context, key, credential, preq, found, res, land, false);
  }

  #revalidateLater(
    request: HttpRequest,
    next: Next,
    context: Context,
    key: string,
    credential: string,
    preq: PolicyRequest,
    found: Found,
  ): void {
    const flightKey = this.#flightKey(key, credential, found, preq);
    if (this.#flights.get(flightKey) !== undefined) return;
    const headers = conditionals(found.policy, preq) ?? {};
    const land = this.#flights.enter(flightKey);
    const task = next(request.with({ headers, signal: NEVER }))
      .then((res) =>
        this.#afterRevalidation(request, next, context, key, credential, preq, found, res, land, true),
      )
      .then((res) => {
        // A changed body: let the tee fill the store with nobody reading.
        res?.body.resume();
      })
      .catch((error: unknown) => {
        land();
        publish(cacheChannels.error, () => ({ operation: "revalidate", store: this.#o.store.name, error }));
      });
    this.#track(task);
  }

  async #afterRevalidation(
    request: HttpRequest,
    next: Next,
    context: Context,
    key: string,
    credential: string,
    preq: PolicyRequest,
    found: Found,
    res: HttpResponse,
    land: () => void,
    background: boolean,
  ): Promise<HttpResponse | undefined> {
    if (res.status === 304) {
      void res.discard();
      const { policy, modified } = found.policy.revalidatedPolicy(preq, policyResponse(res, request.url));
      if (!modified) {
        let current = found;
        const meta: EntryMeta = { ...found.meta, policy: policy.toObject() };
        const updated = { ...found.entry, metadata: writeMeta(meta) };
        if (policy.timeToLive() > 0 || validatorsChanged(found.policy, policy)) {
          try {
            const entry = await this.#o.store.update(found.entry, updated.metadata);
            current = this.#index.remember(entry, stateTtl(policy)) ?? found;
          } catch (error) {
            publish(cacheChannels.error, () => ({ operation: "update", store: this.#o.store.name, error }));
          }
        } else {
          // Still no lifetime (max-age=0, no-cache): the next use revalidates anyway, so the store
          // keeps its copy and only this process notes the new response time.
          current = this.#index.rememberParsed({ entry: updated, meta, policy });
        }
        land();
        publish(cacheChannels.revalidated, () => ({ ...callFields(request, context), background }));
        if (background) return undefined;
        const served = await serveEntry(this.#parts, request, context, current, "revalidated");
        return served ?? this.#fill(request, next, context, key, credential, undefined, "corrupt", undefined);
      }
      land();
      if (background) return undefined;
      // The 304 names other validators than the stored ones: fetch the whole body.
      return this.#fill(request, next, context, key, credential, undefined, "expired", undefined);
    }
    if (res.status >= 500 && !background) {
      const stale = await staleForError(this.#parts, request, context, found);
      if (stale !== undefined) {
        land();
        void res.discard();
        return stale;
      }
    }
    return admit(this.#parts, request, context, key, credential, res, land, background);
  }

  async #fill(
    request: HttpRequest,
    next: Next,
    context: Context,
    key: string,
    credential: string,
    stale: Found | undefined,
    reason: string,
    flightKey: string | undefined,
    release?: () => void,
  ): Promise<HttpResponse> {
    publish(cacheChannels.miss, () => ({ ...callFields(request, context), reason }));
    const local = flightKey === undefined ? undefined : this.#flights.enter(flightKey);
    // The local flight and the fleet's claim end together: when the entry is stored or given up.
    const land =
      release === undefined
        ? local
        : () => {
            local?.();
            release();
          };
    let res: HttpResponse;
    try {
      res = await next(request);
    } catch (error) {
      land?.();
      const served =
        stale === undefined ? undefined : await staleForError(this.#parts, request, context, stale);
      if (served !== undefined) return served;
      throw error;
    }
    if (res.status >= 500 && stale !== undefined) {
      const served = await staleForError(this.#parts, request, context, stale);
      if (served !== undefined) {
        land?.();
        void res.discard();
        return served;
      }
    }
    return admit(this.#parts, request, context, key, credential, res, land, false);
  }

  #flightKey(key: string, credential: string, found: Found | undefined, preq: PolicyRequest): string {
    const vary = found?.meta.vary;
    if (vary === undefined || vary === "*" || Object.keys(vary).length === 0) return `${key}|${credential}`;
    return `${key}|${credential}|${JSON.stringify(varySelection(Object.keys(vary).join(","), preq.headers))}`;
  }

  #track(task: Promise<unknown>): void {
    this.#background.add(task);
    void task.finally(() => this.#background.delete(task));
  }
}

interface Unsafe {
  readonly parts: FlowParts;
  readonly request: HttpRequest;
}

interface Uncached extends Unsafe {
  readonly context: Context;
  readonly key: string;
}

function invalidateAfter(res: HttpResponse, u: Unsafe): HttpResponse {
  if (res.status < 400) invalidate(u.parts, u.request, res);
  return res;
}

// Still no-store (the usual case): already marked absent, nothing to work out.
function admitUncached(res: HttpResponse, u: Uncached): HttpResponse | Promise<HttpResponse> {
  const { parts, request, context } = u;
  if (saysNoStore(res)) return tagResponse(res, "miss", context, parts.o.statusHeader);
  return admit(
    parts,
    request,
    context,
    u.key,
    () => credentialIdentity(request, context),
    res,
    undefined,
    false,
  );
}
