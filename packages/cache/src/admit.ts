import type { Context, HttpRequest, HttpResponse } from "@switchyard/core";
import type CachePolicy from "http-cache-semantics";
import type { ResolvedCacheOptions } from "./cache-options.ts";
import type { EntryIndex } from "./entry-index.ts";
import type { EntryMeta } from "./entry-meta.ts";
import { varySelection, writeMeta } from "./entry-meta.ts";
import { cacheChannels, publish } from "./events.ts";
import type { Policy } from "./policy.ts";
import { policyRequest, policyResponse, staleIfErrorSeconds } from "./policy.ts";
import { callFields, tagResponse } from "./respond.ts";
import { teeToStore } from "./tee.ts";

/** What the cache's steps share: options, the entry index, the policy class, background tracking. */
export interface FlowParts {
  readonly o: ResolvedCacheOptions;
  readonly index: EntryIndex;
  readonly Policy: typeof CachePolicy;
  /** Keeps `task` among the background work `idle()` waits for. */
  track(task: Promise<unknown>): void;
}

const NO_STORE = /(?:^|,)\s*no-store\b/i;

/** Whether `res` says `Cache-Control: no-store`: the common uncacheable answer, told without a policy. */
export function saysNoStore(res: HttpResponse): boolean {
  const cc = res.headers.get("cache-control");
  return cc !== undefined && NO_STORE.test(cc);
}
// Entries with a validator stay in a state store this long past their lifetime: they can still be revalidated.
const REVALIDATABLE_MS = 30 * 24 * 3600 * 1000;

/** Stores `res` when the rules allow, teeing its body to the store as the caller reads it. */
export function admit(
  parts: FlowParts,
  request: HttpRequest,
  context: Context,
  key: string,
  credential: string | (() => string),
  res: HttpResponse,
  land: (() => void) | undefined,
  background: boolean,
): HttpResponse {
  const header = parts.o.statusHeader;
  // The common uncacheable answer, decided without building a policy.
  if (saysNoStore(res)) {
    if (parts.index.remembered(key) === undefined) parts.index.markAbsent(key);
    land?.();
    return background ? res : tagResponse(res, "miss", context, header);
  }
  const sent = res.request;
  // Credentials added inside the cache (by auth, a signer) count: the RFC's rule is about the request sent.
  const credentialed =
    sent !== undefined && (sent.headers.has("authorization") || sent.urlParts.username !== "");
  let policy: Policy;
  try {
    policy = new parts.Policy(policyRequest(request, key, credentialed), policyResponse(res, request.url), {
      shared: parts.o.shared,
      cacheHeuristic: parts.o.heuristic,
      immutableMinTimeToLive: parts.o.immutableMinTtl,
    });
  } catch {
    land?.();
    return background ? res : tagResponse(res, "miss", context, header);
  }
  if (!policy.storable() || !res.hasBody || res.status === 206) {
    if (parts.index.remembered(key) === undefined) parts.index.markAbsent(key);
    land?.();
    return background ? res : tagResponse(res, "miss", context, header);
  }
  const preq = policyRequest(request, key);
  const meta: EntryMeta = {
    v: 1,
    policy: policy.toObject(),
    status: res.status,
    statusText: res.statusText,
    // Worked out only for a response that may be stored (it reads every header and the URL).
    credential: typeof credential === "function" ? credential() : credential,
    staleIfError: staleIfErrorSeconds(res.headers.get("cache-control"), parts.o.shared),
    vary: varySelection(res.headers.get("vary"), preq.headers),
  };
  const declared = res.headers.get("content-length");
  const expected = declared === undefined ? undefined : Number(declared);
  const store = parts.o.store;
  const writer = store.writer(key);
  const body = teeToStore(res.body, writer, parts.o.maxLag, (outcome) => {
    if (!outcome.complete || (expected !== undefined && expected !== outcome.size)) {
      // Aborted or cut short: the temp file goes, nothing is committed; waiters fetch on their own.
      parts.track(writer.abort().finally(land));
      return;
    }
    const task = writer
      .commit(writeMeta(meta))
      .then((entry) => {
        if (entry === undefined) return;
        parts.index.remember(entry, stateTtl(policy));
        publish(cacheChannels.stored, () => ({
          ...callFields(request, context),
          size: entry.size,
          store: store.name,
        }));
      })
      .catch((error: unknown) =>
        publish(cacheChannels.error, () => ({ operation: "commit", store: store.name, error })),
      )
      .finally(land);
    parts.track(task);
  });
  const teed = res.with({ body });
  return background ? teed : tagResponse(teed, "miss", context, header);
}

/** How long a state store keeps an entry's metadata: its lifetime, longer when it can be revalidated. */
export function stateTtl(policy: Policy): number {
  const ttl = policy.timeToLive();
  const headers = policy.responseHeaders();
  return headers.etag !== undefined || headers["last-modified"] !== undefined ? ttl + REVALIDATABLE_MS : ttl;
}
