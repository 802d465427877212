// One guard per core error class. Each is `instanceof`, which Switchyard errors decide by their
// stable code (see `SwitchyardError`), so a guard answers the same for an error from another
// installed copy of core and never for another library's class of the same name.
import {
  AbortError,
  BodyNotReplayableError,
  ClientClosedError,
  ConnectError,
  DecompressionLimitError,
  InvalidOptionsError,
  InvalidRequestError,
  RedirectError,
  ResponseError,
  SocketError,
  TimeoutError,
  UnsupportedSchemeError,
} from "./errors.ts";
import { IntegrityError } from "./integrity-error.ts";
import { StateStoreError } from "./state-store-error.ts";

/** Tells whether `value` is an {@link InvalidOptionsError} (also across duplicate installs, by its code). */
export function isInvalidOptionsError(value: unknown): value is InvalidOptionsError {
  return value instanceof InvalidOptionsError;
}

/** Tells whether `value` is an {@link InvalidRequestError} (also across duplicate installs, by its code). */
export function isInvalidRequestError(value: unknown): value is InvalidRequestError {
  return value instanceof InvalidRequestError;
}

/** Tells whether `value` is an {@link UnsupportedSchemeError} (also across duplicate installs, by its code). */
export function isUnsupportedSchemeError(value: unknown): value is UnsupportedSchemeError {
  return value instanceof UnsupportedSchemeError;
}

/** Tells whether `value` is a {@link TimeoutError} (also across duplicate installs, by its code). */
export function isTimeoutError(value: unknown): value is TimeoutError {
  return value instanceof TimeoutError;
}

/** Tells whether `value` is an {@link AbortError} (also across duplicate installs, by its code). */
export function isAbortError(value: unknown): value is AbortError {
  return value instanceof AbortError;
}

/** Tells whether `value` is a {@link ConnectError} (also across duplicate installs, by its code). */
export function isConnectError(value: unknown): value is ConnectError {
  return value instanceof ConnectError;
}

/** Tells whether `value` is a {@link SocketError} (also across duplicate installs, by its code). */
export function isSocketError(value: unknown): value is SocketError {
  return value instanceof SocketError;
}

/** Tells whether `value` is a {@link BodyNotReplayableError} (also across duplicate installs, by its code). */
export function isBodyNotReplayableError(value: unknown): value is BodyNotReplayableError {
  return value instanceof BodyNotReplayableError;
}

/** Tells whether `value` is a {@link RedirectError} (also across duplicate installs, by its code). */
export function isRedirectError(value: unknown): value is RedirectError {
  return value instanceof RedirectError;
}

/** Tells whether `value` is a {@link ClientClosedError} (also across duplicate installs, by its code). */
export function isClientClosedError(value: unknown): value is ClientClosedError {
  return value instanceof ClientClosedError;
}

/** Tells whether `value` is a {@link ResponseError} (also across duplicate installs, by its code). */
export function isResponseError(value: unknown): value is ResponseError {
  return value instanceof ResponseError;
}

/** Tells whether `value` is a {@link DecompressionLimitError} (also across duplicate installs, by its code). */
export function isDecompressionLimitError(value: unknown): value is DecompressionLimitError {
  return value instanceof DecompressionLimitError;
}

/** Tells whether `value` is an {@link IntegrityError} (also across duplicate installs, by its code). */
export function isIntegrityError(value: unknown): value is IntegrityError {
  return value instanceof IntegrityError;
}

/** Tells whether `value` is a {@link StateStoreError} (also across duplicate installs, by its code). */
export function isStateStoreError(value: unknown): value is StateStoreError {
  return value instanceof StateStoreError;
}
