import type { SwitchyardErrorOptions } from "@switchyard/core";
import { CIRCUIT_OPEN_CODE, SwitchyardError } from "@switchyard/core";

/**
 * The circuit of the request's origin is open (or half-open with every probe slot taken): the
 * call failed at once, nothing was sent and no connection was used. Transient, with core's
 * `CIRCUIT_OPEN_CODE`: `@switchyard/mirror` tries the next mirror at once, `@switchyard/retry`
 * may try again after its backoff.
 */
export class CircuitOpenError extends SwitchyardError {
  override name = "CircuitOpenError";
  /** The code of every CircuitOpenError; `instanceof` and `isCircuitOpenError` match by it. */
  static readonly code: string = CIRCUIT_OPEN_CODE;
  /** The circuit's key: the origin (`https://host:port`) unless a custom `key` was given. */
  readonly origin: string;
  /** When the circuit lets a probe through (epoch ms); now or past while half-open. */
  readonly probeAt: Date;
  /** Milliseconds from the failure until a probe may go (0 when half-open and busy). */
  readonly retryInMs: number;
  /** `"open"` or `"half-open"` (every probe slot taken). */
  readonly state: "open" | "half-open";

  constructor(
    origin: string,
    state: "open" | "half-open",
    probeAt: number,
    retryInMs: number,
    options?: SwitchyardErrorOptions,
  ) {
    const when =
      state === "open"
        ? `until ${new Date(probeAt).toISOString()} (${Math.ceil(retryInMs / 1000)} s from now), when one probe may go`
        : "half-open, and every probe slot is taken; the probes in flight decide whether it closes";
    super(CIRCUIT_OPEN_CODE, `the circuit breaker for ${origin} is open ${when}; the request was not sent`, {
      ...options,
      transient: true,
    });
    this.origin = origin;
    this.probeAt = new Date(probeAt);
    this.retryInMs = retryInMs;
    this.state = state;
  }
}

/** Tells whether `value` is a {@link CircuitOpenError} (also across duplicate installs). */
export function isCircuitOpenError(value: unknown): value is CircuitOpenError {
  return value instanceof CircuitOpenError;
}
