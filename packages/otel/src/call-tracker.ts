import diagnosticsChannel from "node:diagnostics_channel";
import type { Attributes, Context as OtelContext, Span, Tracer } from "@opentelemetry/api";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { type Context, contextKey } from "@switchyard/core";
import { errorType, requestAttributes } from "./attributes.ts";
import type { OtelInstruments } from "./otel-metrics.ts";

/** What the tracker keeps for one logical call (one pass through the otel middleware). */
export interface CallState {
  readonly span: Span;
  readonly otelContext: OtelContext;
  readonly attributes: Attributes;
  readonly started: number;
  /** The attempt span in flight, if any. */
  attempt: Span | undefined;
  /** Requests sent so far for this call (attempts reaching the transport). */
  sent: number;
  /** The mirror the route stage chose for the next attempt (redacted). */
  mirror: string | undefined;
}

type Payload = { readonly context?: Context } & Readonly<Record<string, unknown>>;

/** How long the channels stay subscribed after the last traced call ended (calls often come in runs). */
export const IDLE_UNSUBSCRIBE_MS = 1000;

/**
 * Follows calls through the diagnostics channels: attempt spans under each call's span, and the
 * counters for retries, mirror failures and Retry-After waits. Only calls this tracker started
 * (found by their Switchyard context) are recorded; everything else is ignored.
 *
 * It listens only while it has calls in flight (and {@link IDLE_UNSUBSCRIBE_MS} after the last
 * one): every event it records belongs to a call between `begin` and `end`. A subscriber makes
 * core and the plugins build and scrub their event payloads for every call in the process, so a
 * client without otel beside an idle traced client would otherwise pay for it on each request.
 */
export class CallTracker {
  // The call's state rides on its own context (a WeakMap set and delete per call cost more), under
  // a key of this tracker's own, so several otel() instances never see each other's calls.
  readonly #key = contextKey<CallState>("otel:call");
  readonly #tracer: Tracer;
  readonly #metrics: OtelInstruments;
  readonly #subscriptions: Array<[string, (message: unknown) => void]>;
  #inFlight = 0;
  #subscribed = false;
  #closed = false;
  #idle: NodeJS.Timeout | undefined;

  constructor(tracer: Tracer, metrics: OtelInstruments) {
    this.#tracer = tracer;
    this.#metrics = metrics;
    this.#subscriptions = [
      ["switchyard:core:request", (m) => this.#attemptStarted(m as Payload)],
      ["switchyard:core:response", (m) => this.#attemptAnswered(m as Payload)],
      ["switchyard:core:attempt-error", (m) => this.#attemptFailed(m as Payload)],
      ["switchyard:mirror:selected", (m) => this.#mirrorSelected(m as Payload)],
      ["switchyard:mirror:failed", (m) => this.#mirrorFailed(m as Payload)],
      ["switchyard:retry:retry", (m) => this.#retried(m as Payload)],
      ["switchyard:retry:resume", (m) => this.#event(m as Payload, "switchyard.resume")],
      ["switchyard:retry-after:wait", (m) => this.#waited(m as Payload)],
    ];
  }

  /** Whether the tracker listens to the channels now (it does while calls are in flight). */
  get listening(): boolean {
    return this.#subscribed;
  }

  /** Stops listening, for good. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#idle);
    this.#idle = undefined;
    this.#unsubscribe();
  }

  /** Records the start of a call. */
  begin(context: Context, state: CallState): void {
    context.set(this.#key, state);
    this.#inFlight++;
    if (!this.#subscribed && !this.#closed) {
      this.#subscribed = true;
      for (const [name, listener] of this.#subscriptions) diagnosticsChannel.subscribe(name, listener);
    }
  }

  /** The call's state while it runs. */
  get(context: Context): CallState | undefined {
    return context.get(this.#key);
  }

  /** Forgets a finished call (unless a later hop of the same context replaced it). */
  end(context: Context, state: CallState): void {
    if (context.get(this.#key) === state) context.delete(this.#key);
    if (--this.#inFlight > 0 || this.#idle !== undefined || !this.#subscribed) return;
    // One timer per idle spell, not per call: a run of calls keeps the subscriptions.
    this.#idle = setTimeout(() => {
      this.#idle = undefined;
      if (this.#inFlight === 0) this.#unsubscribe();
    }, IDLE_UNSUBSCRIBE_MS);
    this.#idle.unref();
  }

  // A payload's context is a Switchyard Context; anything else (a plugin's mistake) is not a call of ours.
  #stateOf(m: Payload): CallState | undefined {
    const context = m.context;
    return typeof context?.get === "function" ? context.get(this.#key) : undefined;
  }

  #unsubscribe(): void {
    if (!this.#subscribed) return;
    this.#subscribed = false;
    for (const [name, listener] of this.#subscriptions) diagnosticsChannel.unsubscribe(name, listener);
  }

  #attemptStarted(m: Payload): void {
    const state = this.#stateOf(m);
    if (!state) return;
    state.attempt?.end();
    const attributes = requestAttributes(String(m.method), String(m.url));
    // The conventions count resends of the same logical request: 0 is not recorded.
    if (state.sent > 0) attributes["http.request.resend_count"] = state.sent;
    if (state.mirror !== undefined) attributes["switchyard.mirror"] = state.mirror;
    state.sent++;
    state.attempt = this.#tracer.startSpan(
      String(m.method),
      { kind: SpanKind.CLIENT, attributes },
      trace.setSpan(state.otelContext, state.span),
    );
  }

  #attemptAnswered(m: Payload): void {
    const state = this.#stateOf(m);
    const span = state?.attempt;
    if (!state || !span) return;
    const status = Number(m.status);
    span.setAttribute("http.response.status_code", status);
    if (status >= 400) {
      span.setAttribute("error.type", String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
    state.attempt = undefined;
  }

  #attemptFailed(m: Payload): void {
    const state = this.#stateOf(m);
    const span = state?.attempt;
    if (!state || !span) return;
    failSpan(span, m.error);
    span.end();
    state.attempt = undefined;
  }

  #mirrorSelected(m: Payload): void {
    const state = this.#stateOf(m);
    if (state) state.mirror = String(m.mirror);
  }

  #mirrorFailed(m: Payload): void {
    const state = this.#stateOf(m);
    if (!state) return;
    this.#metrics.mirrorFailures.add(1, { "switchyard.mirror": String(m.mirror) });
  }

  #retried(m: Payload): void {
    const state = this.#stateOf(m);
    if (!state) return;
    this.#metrics.retries.add(1, {
      "http.request.method": String(m.method),
      "server.address": state.attributes["server.address"] ?? "",
    });
    state.span.addEvent("switchyard.retry", {
      "switchyard.retry.attempt": Number(m.attempt),
      "switchyard.retry.delay_ms": Number(m.delay),
      "switchyard.retry.reason": String(m.reason),
    });
  }

  #waited(m: Payload): void {
    const state = this.#stateOf(m);
    if (!state) return;
    const seconds = Number(m.delay) / 1000;
    this.#metrics.retryAfterWait.record(seconds, {
      "server.address": state.attributes["server.address"] ?? "",
    });
    state.span.addEvent("switchyard.retry_after.wait", {
      "switchyard.retry_after.delay_ms": Number(m.delay),
    });
  }

  #event(m: Payload, name: string): void {
    const state = this.#stateOf(m);
    state?.span.addEvent(name, { "switchyard.resume.offset": Number(m.offset) });
  }
}

/** Marks a span failed with `error.type` and the (already redacted) error message. */
export function failSpan(span: Span, error: unknown): void {
  span.setAttribute("error.type", errorType(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
