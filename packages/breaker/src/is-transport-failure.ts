import {
  AbortError,
  CIRCUIT_OPEN_CODE,
  ConnectError,
  isSwitchyardError,
  TimeoutError,
} from "@switchyard/core";

/**
 * Whether an error from the transport counts against the origin: what core marks transient
 * (connection refused or reset, connect / headers / body timeouts) and every connect error (a TLS
 * handshake the server fails is its fault). Not the caller's abort, not the whole-call timeout,
 * not another breaker's fast failure, not a plugin's own error (a bad request, a scheme nobody
 * handles): those say nothing about the server.
 */
export function isTransportFailure(error: unknown): boolean {
  if (!isSwitchyardError(error)) return false;
  if (error.code === CIRCUIT_OPEN_CODE || error instanceof AbortError) return false;
  if (error instanceof TimeoutError && error.phase === "request") return false;
  return error.transient || error instanceof ConnectError;
}
