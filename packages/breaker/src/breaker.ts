import type { Context, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import { guardStateStore } from "@switchyard/core";
import { breakerChannels } from "./breaker-events.ts";
import type { BreakerOptions } from "./breaker-options.ts";
import { resolveBreakerOptions } from "./breaker-options.ts";
import type { CircuitState, Transition } from "./circuit.ts";
import { Circuit } from "./circuit.ts";
import { CircuitOpenError } from "./errors.ts";
import { isTransportFailure } from "./is-transport-failure.ts";
import { SharedOpenState } from "./shared-open-state.ts";
import { SharedWindow } from "./shared-window.ts";

/** One circuit as {@link BreakerMiddleware.snapshot} reports it. */
export interface CircuitSnapshot {
  /** The circuit key (the origin by default). */
  readonly origin: string;
  readonly state: CircuitState;
  /** Outcomes and failures in the current window (closed circuits only; 0 otherwise). */
  readonly total: number;
  readonly failures: number;
  /** While open: when a probe may go (epoch ms). */
  readonly openUntil: number | undefined;
  /** Probes in flight while half-open. */
  readonly probes: number;
  /** How many times this circuit opened. */
  readonly opened: number;
}

/** The middleware {@link breaker} returns. */
export interface BreakerMiddleware extends Middleware {
  readonly name: "breaker";
  readonly stage: "send";
  /** Every circuit's state, for dashboards. */
  snapshot(): readonly CircuitSnapshot[];
  /** Stops listening to the state store (when one was given). Circuits keep working locally. */
  close(): void;
}

/**
 * A circuit breaker per origin. It counts transport errors and the configured statuses (5xx by
 * default) over a sliding window; when, with at least `minimumRequests` outcomes, the failure
 * ratio reaches `failureRatio`, the circuit opens and requests to that origin fail fast with
 * {@link CircuitOpenError} (naming the origin and when it will probe) without a connection.
 * After `openMs` it turns half-open and lets `halfOpenProbes` requests through: their success
 * closes it, a failure opens it again. The failed response is passed on untouched (only its status
 * is read; its body is never buffered).
 *
 * Stage `send`: per attempt, after mirror/resolve chose the real origin, so each mirror has its own
 * circuit; mirror treats an open circuit as a failed mirror and moves on at once (core's
 * `CIRCUIT_OPEN_CODE`).
 *
 * @example
 * const client = createClient({ middleware: [retry(), breaker({ openMs: 30_000 })] });
 * const res = await client.request("https://api.example.com/items"); // fails fast while it is down
 */
export function breaker(options: BreakerOptions = {}): BreakerMiddleware {
  const o = resolveBreakerOptions(options);
  const now = o.now;
  const circuits = new Map<string, Circuit>();
  const shared =
    o.stateStore === undefined
      ? undefined
      : new SharedOpenState(o.stateStore, (key, inMs) => {
          const t = now();
          const transition = circuitFor(key).openRemotely(t, inMs);
          if (transition !== undefined) announce(key, transition, "store");
        });

  // Window counts shared with the fleet: recorded here, sent in the background (never awaited).
  const countGuard =
    o.stateStore === undefined || !o.shareWindow
      ? undefined
      : guardStateStore(o.stateStore, { plugin: "breaker", timeoutMs: o.stateStoreTimeoutMs });

  function circuitFor(key: string): Circuit {
    const known = circuits.get(key);
    if (known !== undefined) return known;
    if (circuits.size >= o.maxCircuits) forgetOne();
    const window =
      countGuard === undefined
        ? undefined
        : new SharedWindow(countGuard, key, o.windowMs, o.buckets, now, () => {
            // The fleet's counts arrived: other processes' failures may open this circuit.
            if (circuits.get(key) !== circuit) return;
            const transition = circuit.evaluate(now());
            if (transition !== undefined) announce(key, transition, "local");
          });
    const circuit = new Circuit(o, window);
    circuits.set(key, circuit);
    return circuit;
  }

  // The oldest closed circuit goes first; an open one only when every circuit is open.
  function forgetOne(): void {
    for (const [key, c] of circuits) {
      if (c.state === "closed") {
        circuits.delete(key);
        return;
      }
    }
    const first = circuits.keys().next();
    if (first.done !== true) circuits.delete(first.value);
  }

  function announce(key: string, transition: Transition, source: "local" | "store"): void {
    const circuit = circuits.get(key);
    if (transition === "open") {
      if (source === "local") shared?.publishOpen(key, o.openMs);
      if (breakerChannels.open.hasSubscribers && circuit !== undefined) {
        breakerChannels.open.publish({
          origin: key,
          openUntil: circuit.openUntil,
          openMs: circuit.openUntil - now(),
          source,
        });
      }
    } else if (transition === "half-open") {
      if (breakerChannels.halfOpen.hasSubscribers) breakerChannels.halfOpen.publish({ origin: key });
    } else if (breakerChannels.close.hasSubscribers) breakerChannels.close.publish({ origin: key });
  }

  return {
    name: "breaker",
    stage: "send",
    handle(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
      const key = o.key === undefined ? request.origin : o.key(request);
      if (key === undefined || key === "null" || (o.origins !== undefined && !o.origins.has(key))) {
        return next(request);
      }
      const circuit = circuitFor(key);
      const before = circuit.state;
      const admission = circuit.admit(now());
      if (before === "open" && circuit.state === "half-open") announce(key, "half-open", "local");
      if (admission.kind === "reject") {
        const t = now();
        const where = { method: request.method, url: request.redactedUrl, context };
        if (breakerChannels.reject.hasSubscribers) {
          breakerChannels.reject.publish({
            origin: key,
            ...where,
            state: admission.state,
            probeAt: admission.probeAt,
          });
        }
        return Promise.reject(
          new CircuitOpenError(
            key,
            admission.state,
            admission.probeAt,
            Math.max(0, admission.probeAt - t),
            where,
          ),
        );
      }
      const probe = admission.kind === "probe";
      let sent: Promise<HttpResponse>;
      try {
        sent = next(request);
      } catch (error) {
        sent = Promise.reject(error);
      }
      return sent.then(
        (response) => {
          const transition = circuit.record(now(), o.statuses.has(response.status), probe);
          if (transition !== undefined) announce(key, transition, "local");
          return response;
        },
        (error: unknown) => {
          if (isTransportFailure(error)) {
            const transition = circuit.record(now(), true, probe);
            if (transition !== undefined) announce(key, transition, "local");
          } else circuit.release(probe);
          throw error;
        },
      );
    },
    snapshot(): readonly CircuitSnapshot[] {
      const t = now();
      return [...circuits].map(([origin, c]) => {
        const { total, failures } = c.state === "closed" ? c.counts(t) : { total: 0, failures: 0 };
        return Object.freeze({
          origin,
          state: c.state,
          total,
          failures,
          openUntil: c.state === "open" ? c.openUntil : undefined,
          probes: c.probes,
          opened: c.opened,
        });
      });
    },
    close(): void {
      shared?.close();
    },
  };
}
