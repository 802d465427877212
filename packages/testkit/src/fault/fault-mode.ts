/**
 * What the fault proxy does to a connection.
 * - `"pass"`: forwards both ways untouched.
 * - `"reset"`: resets the client connection (RST) at once, and the target side with it.
 * - `"close"`: closes the client connection (FIN) at once, and the target side with it.
 * - `"blackhole"`: accepts, never forwards, never answers (reads stop once 1 MiB is held).
 * - a {@link FaultPlan}: forwards with delay, throttling, or a cut after some response bytes.
 */
export type FaultMode = "pass" | "reset" | "close" | "blackhole" | FaultPlan;

/** Faults that still forward traffic; fields combine (`{ ...delay(50), ...throttle(1e5) }`). */
export interface FaultPlan {
  /** Forwards each chunk, both directions, this long after the proxy received it (added latency). */
  readonly delayMs?: number;
  /** Paces each direction to this rate. */
  readonly bytesPerSec?: number;
  /** Resets the client (RST) once this many target-to-client bytes have been forwarded on the connection. */
  readonly resetAfterBytes?: number;
  /** Closes the client (FIN) once this many target-to-client bytes have been forwarded on the connection. */
  readonly closeAfterBytes?: number;
}

/** A plan that resets the client connection after `bytes` of response (truncation mid-body, then RST). */
export function resetAfter(bytes: number): FaultPlan {
  return { resetAfterBytes: bytes };
}

/** A plan that closes the client connection after `bytes` of response (truncation mid-body, then FIN). */
export function closeAfter(bytes: number): FaultPlan {
  return { closeAfterBytes: bytes };
}

/** A plan that adds `ms` of latency to every chunk in both directions. */
export function delay(ms: number): FaultPlan {
  return { delayMs: ms };
}

/** A plan that paces both directions to `bytesPerSec`. */
export function throttle(bytesPerSec: number): FaultPlan {
  return { bytesPerSec };
}

/** Throws a `RangeError` for a mode that is neither a known name nor a well-formed plan. */
export function validateFaultMode(mode: FaultMode): void {
  if (typeof mode === "string") {
    if (mode === "pass" || mode === "reset" || mode === "close" || mode === "blackhole") return;
    throw new RangeError(`unknown fault mode ${JSON.stringify(mode)}`);
  }
  if (typeof mode !== "object" || mode === null) throw new RangeError(`bad fault mode ${String(mode)}`);
  const counts = ["delayMs", "resetAfterBytes", "closeAfterBytes"] as const;
  for (const name of counts) {
    const value = mode[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${name} must be a non-negative number, got ${value}`);
    }
  }
  if (mode.bytesPerSec !== undefined && !(Number.isFinite(mode.bytesPerSec) && mode.bytesPerSec > 0)) {
    throw new RangeError(`bytesPerSec must be a positive number, got ${mode.bytesPerSec}`);
  }
  if (mode.resetAfterBytes !== undefined && mode.closeAfterBytes !== undefined) {
    throw new RangeError("resetAfterBytes and closeAfterBytes exclude each other");
  }
}

/** The plan a forwarding mode applies (empty for "pass"); undefined for modes that do not forward. */
export function planOf(mode: FaultMode): FaultPlan | undefined {
  if (mode === "pass") return {};
  return typeof mode === "object" ? mode : undefined;
}
