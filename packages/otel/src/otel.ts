import type { Attributes, MeterProvider, TracerProvider } from "@opentelemetry/api";
import {
  metrics,
  context as otelContext,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { Context, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import { attemptKey, cacheStatusKey, InvalidOptionsError, redactUrl, servedByKey } from "@switchyard/core";
import { errorType, redactedUrlOf, requestAttributes } from "./attributes.ts";
import { type CallState, CallTracker, failSpan } from "./call-tracker.ts";
import { createInstruments } from "./otel-metrics.ts";

/** Options of {@link otel}. */
export interface OtelOptions {
  /** Where spans go. @default the global provider (`trace.getTracerProvider()`) */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global provider (`metrics.getMeterProvider()`) */
  readonly meterProvider?: MeterProvider;
  /**
   * Inject the call's trace context into request headers (`traceparent`...) with the globally
   * registered propagator (`propagation.setGlobalPropagator`). Off by default: headers are the
   * caller's, and a trace id tells the server something.
   * @default false
   */
  readonly propagate?: boolean;
}

/** The otel middleware; `close()` stops listening to the diagnostics channels. */
export interface OtelMiddleware extends Middleware {
  close(): void;
}

const NAME = "@switchyard/otel";

/**
 * OpenTelemetry for Switchyard: one `CLIENT` span per logical call (stage `observe`, outside the
 * cache and every policy middleware whatever the list order: hits are traced too, with the cache's
 * outcome as `switchyard.cache.status`), with one span per attempt beneath it, from the diagnostics channels
 * the packages publish, and the `http.client.request.duration` histogram plus retry, mirror-failure
 * and Retry-After counters. It subscribes when created; nothing listens until then.
 *
 * @example
 * const client = createClient({ middleware: [otel(), cache(), retry()] });
 */
export function otel(options: OtelOptions = {}): OtelMiddleware {
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionsError("otel options must be an object");
  if (options.propagate !== undefined && typeof options.propagate !== "boolean") {
    throw new InvalidOptionsError("otel propagate must be a boolean");
  }
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(NAME);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(NAME);
  const instruments = createInstruments(meter);
  const tracker = new CallTracker(tracer, instruments);
  const propagate = options.propagate === true;

  function finish(
    state: CallState,
    context: Context,
    response: HttpResponse | undefined,
    error: unknown,
  ): void {
    try {
      record(state, context, response, error);
    } finally {
      tracker.end(context, state);
    }
  }

  function record(
    state: CallState,
    context: Context,
    response: HttpResponse | undefined,
    error: unknown,
  ): void {
    if (state.attempt !== undefined) {
      if (response === undefined) failSpan(state.attempt, error);
      state.attempt.end();
      state.attempt = undefined;
    }
    const span = state.span;
    const metric: Attributes = {
      "http.request.method": state.attributes["http.request.method"],
      "server.address": state.attributes["server.address"],
      "server.port": state.attributes["server.port"],
      "url.scheme": state.attributes["url.scheme"],
    };
    const servedBy = context.get(servedByKey);
    if (servedBy !== undefined) {
      span.setAttribute("switchyard.served_by.kind", servedBy.kind);
      span.setAttribute("switchyard.served_by.url", redactUrl(servedBy.url));
    }
    // Set by a cache inside this middleware before it answers; absent when no cache took part.
    const cacheStatus = context.get(cacheStatusKey);
    if (cacheStatus !== undefined) {
      span.setAttribute("switchyard.cache.status", cacheStatus);
      metric["switchyard.cache.status"] = cacheStatus;
    }
    span.setAttribute("switchyard.attempts", context.get(attemptKey) ?? state.sent);
    if (response !== undefined) {
      span.setAttribute("http.response.status_code", response.status);
      metric["http.response.status_code"] = response.status;
      if (response.status >= 400) {
        span.setAttribute("error.type", String(response.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
        metric["error.type"] = String(response.status);
      }
    } else {
      failSpan(span, error);
      metric["error.type"] = errorType(error);
    }
    instruments.duration.record((performance.now() - state.started) / 1000, metric);
    span.end();
  }

  return {
    name: "otel",
    // Outermost: it wraps the cache and retry whatever the list order, so a call answered from
    // the cache is one span too, and a retried call one span with its attempts beneath it.
    stage: "observe",
    close: () => tracker.close(),
    handle(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
      const attributes = requestAttributes(request.method, redactedUrlOf(request.url));
      const parent = otelContext.active();
      const span = tracer.startSpan(request.method, { kind: SpanKind.CLIENT, attributes }, parent);
      const active = trace.setSpan(parent, span);
      const state: CallState = {
        span,
        otelContext: active,
        attributes,
        started: performance.now(),
        attempt: undefined,
        sent: 0,
        mirror: undefined,
      };
      let outgoing = request;
      if (propagate) {
        const carrier: Record<string, string> = {};
        propagation.inject(active, carrier);
        if (Object.keys(carrier).length > 0) outgoing = request.with({ headers: carrier });
      }
      // Every begin() is matched by one end() (in finish), which is what the tracker's listening depends on.
      tracker.begin(context, state);
      let pending: Promise<HttpResponse>;
      try {
        pending = otelContext.with(active, () => next(outgoing));
      } catch (error) {
        pending = Promise.reject(error);
      }
      return pending.then(
        (response) => {
          finish(state, context, response, undefined);
          return response;
        },
        (error: unknown) => {
          finish(state, context, undefined, error);
          throw error;
        },
      );
    },
  };
}
