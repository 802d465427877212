import diagnosticsChannel from "node:diagnostics_channel";
import { metrics, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { Context } from "@switchyard/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CallState, CallTracker, IDLE_UNSUBSCRIBE_MS } from "./call-tracker.ts";
import { createInstruments } from "./otel-metrics.ts";

const tracer = trace.getTracerProvider().getTracer("test");
const instruments = createInstruments(metrics.getMeterProvider().getMeter("test"));
const channel = diagnosticsChannel.channel("switchyard:core:request");

function state(): CallState {
  const span = tracer.startSpan("GET");
  return {
    span,
    otelContext: trace.setSpan(ROOT_CONTEXT, span),
    attributes: {},
    started: 0,
    attempt: undefined,
    sent: 0,
    mirror: undefined,
  };
}

describe("CallTracker's subscriptions", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("listens while calls are in flight and for a while after the last one, then stops", () => {
    const tracker = new CallTracker(tracer, instruments);
    try {
      expect(tracker.listening).toBe(false);
      expect(channel.hasSubscribers).toBe(false);
      const [a, b, c] = [new Context(), new Context(), new Context()];
      const [sa, sb, sc] = [state(), state(), state()];
      tracker.begin(a, sa);
      tracker.begin(b, sb);
      expect(channel.hasSubscribers).toBe(true);
      tracker.end(a, sa);
      vi.advanceTimersByTime(IDLE_UNSUBSCRIBE_MS);
      expect(tracker.listening).toBe(true); // b is still in flight
      tracker.end(b, sb);
      vi.advanceTimersByTime(IDLE_UNSUBSCRIBE_MS - 1);
      expect(tracker.listening).toBe(true);
      tracker.begin(c, sc); // a call within the idle spell keeps the subscriptions
      vi.advanceTimersByTime(1);
      expect(tracker.listening).toBe(true);
      tracker.end(c, sc);
      expect(tracker.listening).toBe(true);
      vi.advanceTimersByTime(IDLE_UNSUBSCRIBE_MS);
      expect(tracker.listening).toBe(false);
      expect(channel.hasSubscribers).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      tracker.close();
    }
  });

  it("never listens again once closed", () => {
    const tracker = new CallTracker(tracer, instruments);
    const context = new Context();
    const s = state();
    tracker.begin(context, s);
    expect(channel.hasSubscribers).toBe(true);
    tracker.close();
    expect(channel.hasSubscribers).toBe(false);
    tracker.end(context, s);
    tracker.begin(new Context(), state());
    expect(tracker.listening).toBe(false);
    expect(channel.hasSubscribers).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
