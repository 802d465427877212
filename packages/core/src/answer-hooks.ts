// Reactions to a transport answer that run in the transport's own callback.
//
// Why: a middleware that must see every answer (retry, retry-after, a cache passing a no-store
// answer through, the client settling its call) would otherwise add a `.then` per layer: a promise,
// a reaction, two closures and a microtask hop per call each. Over loopback sockets at small bodies
// those hops, not the plugins' work, were most of what the seven plugins cost (about 6 % of a 32 B
// request for retry's and retry-after's two). When the promise a middleware got from `next` is the
// transport's own, still in flight, `afterAnswer` files the reaction with it instead, and the
// transport runs the filed reactions innermost first when undici answers, then settles that promise
// with the outcome; anything else gets the plain `.then`.
//
// What changes for a middleware that neither files nor returns a new promise: none. A middleware
// that hands back the very promise `next` gave it sees the call's answer as the middleware outside
// it shaped it (the contract documented on `Next`): to watch the answer of your own layer, return
// the promise of your reaction (`next(r).then(...)`, or an async `handle`), as every plugin here does.
import { HttpResponse } from "./response.ts";

/** A reaction to an answer: the answer to pass outward, or a promise of it; it may throw. */
export type AnswerReaction<S> = (response: HttpResponse, state: S) => HttpResponse | Promise<HttpResponse>;
/** A reaction to a failed send: an answer to pass outward instead, or it throws. */
export type FailureReaction<S> = (error: unknown, state: S) => HttpResponse | Promise<HttpResponse>;

/** The reactions filed with one send still in flight (core-internal). */
export class SendReactions {
  open = true;
  // Triples: answer reaction, failure reaction (or undefined), state; `used` slots are filled.
  list: unknown[] | undefined;
  used = 0;
}

// Room for three reactions at once (retry-after, retry and the client's own, a common stack): an
// array grown by push() would be copied into a backing store of twenty slots on the second one.
const ROOM = 9;

// The newest send still in flight: a middleware files with it right after `next` returned it.
let lastSent: Promise<HttpResponse> | undefined;
let lastReactions: SendReactions | undefined;

/** Marks `promise` as the newest send in flight, taking reactions in `reactions` (core-internal). */
export function openSend(promise: Promise<HttpResponse>, reactions: SendReactions): void {
  if (!reactions.open) return;
  lastSent = promise;
  lastReactions = reactions;
}

/**
 * `sent.then(onAnswer, onFailure)`, with `state` handed to each reaction so that a call allocates no
 * closures. When `sent` is the transport's promise still in flight, the reactions run in the
 * transport's callback and `sent` itself is returned, settling with their outcome: no extra promise
 * and no microtask hop. A reaction that returns a promise hands the rest of the call to it.
 *
 * @example
 * // Counts 5xx answers without a promise of its own: the reaction is a function made once.
 * const stats = { failures: 0 };
 * const count = (response: HttpResponse, s: typeof stats) => {
 *   if (response.status >= 500) s.failures++;
 *   return response;
 * };
 * const watch: Middleware = {
 *   name: "watch-5xx",
 *   stage: "send",
 *   handle: (request, next) => afterAnswer(next(request), count, undefined, stats),
 * };
 */
export function afterAnswer<S>(
  sent: Promise<HttpResponse>,
  onAnswer: AnswerReaction<S>,
  onFailure: FailureReaction<S> | undefined,
  state: S,
): Promise<HttpResponse> {
  if (sent === lastSent && lastReactions !== undefined && lastReactions.open) {
    const reactions = lastReactions;
    const at = reactions.used;
    let list = reactions.list;
    if (list === undefined) {
      list = new Array(ROOM);
      reactions.list = list;
    }
    list[at] = onAnswer;
    list[at + 1] = onFailure;
    list[at + 2] = state;
    reactions.used = at + 3;
    return sent;
  }
  return thenWith(sent, onAnswer, onFailure, state);
}

// The plain `.then` of a reaction pair and its state.
function thenWith<S>(
  promise: PromiseLike<unknown>,
  onAnswer: AnswerReaction<S>,
  onFailure: FailureReaction<S> | undefined,
  state: S,
): Promise<HttpResponse> {
  return Promise.resolve(promise).then(
    (response) => onAnswer(response as HttpResponse, state),
    onFailure === undefined ? undefined : (error: unknown) => onFailure(error, state),
  );
}

/** Closes `reactions`: nothing more is filed with its send (core-internal). */
export function closeSend(
  promise: Promise<HttpResponse> | undefined,
  reactions: SendReactions,
): unknown[] | undefined {
  reactions.open = false;
  if (lastSent === promise) {
    lastSent = undefined;
    lastReactions = undefined;
  }
  // Not trimmed to what was filed: setting an array's length is a runtime call (about 30 ns) even
  // when it does not change; the runners below take `reactions.used` as the end instead.
  return reactions.list;
}

type Settle = (value: unknown) => void;

/**
 * Runs the filed reactions `list` from `from` to `end` on an outcome, innermost first, and settles
 * with the result (core-internal). A reaction that returns a promise gets the rest chained on it.
 */
export function runReactions(
  list: readonly unknown[],
  from: number,
  end: number,
  ok: boolean,
  value: unknown,
  resolve: Settle,
  reject: Settle,
): void {
  for (let i = from; i < end; i += 3) {
    const onAnswer = list[i] as AnswerReaction<unknown>;
    const onFailure = list[i + 1] as FailureReaction<unknown> | undefined;
    const state = list[i + 2];
    try {
      if (ok) value = onAnswer(value as HttpResponse, state);
      else if (onFailure !== undefined) {
        value = onFailure(value, state);
        ok = true;
      } else continue;
    } catch (error) {
      value = error;
      ok = false;
      continue;
    }
    if (!(value instanceof HttpResponse) && isThenable(value)) {
      resolve(chainRest(value, list, i + 3, end));
      return;
    }
  }
  if (ok) resolve(value);
  else reject(value);
}

/**
 * `pending` with the reactions of `list` from `from` to `end` chained on it as plain `.then`s
 * (core-internal).
 */
export function chainRest(
  pending: PromiseLike<unknown>,
  list: readonly unknown[],
  from: number,
  end: number,
): PromiseLike<unknown> {
  let promise = pending;
  for (let j = from; j < end; j += 3) {
    promise = thenWith(
      promise,
      list[j] as AnswerReaction<unknown>,
      list[j + 1] as FailureReaction<unknown> | undefined,
      list[j + 2],
    );
  }
  return promise;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}
