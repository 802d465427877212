import type { Counter, Histogram, Meter } from "@opentelemetry/api";

/** The instruments the plugin records on. */
export interface OtelInstruments {
  /** `http.client.request.duration` (s): one per logical call, until response headers. */
  readonly duration: Histogram;
  /** `switchyard.client.retries`: each retry a policy decided on, by `reason`. */
  readonly retries: Counter;
  /** `switchyard.client.mirror.failures`: each failed mirror attempt, by `switchyard.mirror`. */
  readonly mirrorFailures: Counter;
  /** `switchyard.client.retry_after.wait` (s): each wait a server's Retry-After imposed. */
  readonly retryAfterWait: Histogram;
}

// The semantic conventions' advice for http.client.request.duration.
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Creates the instruments on `meter`. */
export function createInstruments(meter: Meter): OtelInstruments {
  return {
    duration: meter.createHistogram("http.client.request.duration", {
      unit: "s",
      description: "Duration of HTTP client requests.",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    retries: meter.createCounter("switchyard.client.retries", {
      unit: "{retry}",
      description: "Retries decided by the retry policy.",
    }),
    mirrorFailures: meter.createCounter("switchyard.client.mirror.failures", {
      unit: "{failure}",
      description: "Failed attempts against a mirror.",
    }),
    retryAfterWait: meter.createHistogram("switchyard.client.retry_after.wait", {
      unit: "s",
      description: "Waits imposed by a server's Retry-After before a request.",
    }),
  };
}
