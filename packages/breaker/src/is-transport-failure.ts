import { CIRCUIT_OPEN_CODE, isServerFailure } from "@switchyard/core";

/**
 * Whether an error from the transport counts against the origin: core's `isServerFailure`, the
 * one rule (what core marks transient: connection refused or reset, connect / headers / body
 * timeouts; and every connect error, a TLS handshake the server fails being its fault). Not the
 * caller's abort, not the whole-call timeout, not a plugin's own error (a bad request, a scheme
 * nobody handles): those say nothing about the server. Nor another breaker's fast failure, which
 * sent nothing.
 */
export function isTransportFailure(error: unknown): boolean {
  return isServerFailure(error) && (error as { code: string }).code !== CIRCUIT_OPEN_CODE;
}
