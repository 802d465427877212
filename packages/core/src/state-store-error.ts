import { SwitchyardError, type SwitchyardErrorOptions } from "./errors.ts";

/**
 * A state-store operation failed: the store was closed, an argument was out of range (a TTL that
 * is not a positive number of milliseconds, a counter step that is not a safe integer), a value
 * held the wrong kind of data (a counter that is not a number), or the backend failed (the cause
 * holds its error). The message names the store and the operation, never a key's secret part
 * (keys hold no secrets) nor a value.
 */
export class StateStoreError extends SwitchyardError {
  override name = "StateStoreError";
  /** The code of every StateStoreError; `instanceof` and `isStateStoreError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_STATE_STORE";
  /** The store's name (`"memory"`, `"sqlite"`, `"redis"`...). */
  readonly store: string;
  /** The operation that failed (`"get"`, `"increment"`...). */
  readonly operation: string;
  constructor(store: string, operation: string, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_STATE_STORE", `state store ${store}: ${operation}: ${message}`, {
      transient: false,
      ...options,
    });
    this.store = store;
    this.operation = operation;
  }
}

/** Longest TTL a store accepts: about 24.8 days, what a Node timer can express. */
export const MAX_STATE_TTL_MS = 2_147_483_647;

/**
 * Checks a TTL or duration argument and rounds it up to whole milliseconds; throws
 * {@link StateStoreError} when it is not a finite number in (0, {@link MAX_STATE_TTL_MS}].
 * For store authors, so every store refuses the same inputs.
 */
export function checkStateTtl(store: string, operation: string, ttlMs: number): number {
  if (typeof ttlMs !== "number" || !(ttlMs > 0) || ttlMs > MAX_STATE_TTL_MS) {
    throw new StateStoreError(
      store,
      operation,
      `the TTL must be a number of milliseconds in (0, ${MAX_STATE_TTL_MS}], got ${String(ttlMs)}`,
    );
  }
  return Math.ceil(ttlMs);
}

/** Checks a key (a non-empty string of at most 512 characters); throws {@link StateStoreError}. */
export function checkStateKey(store: string, operation: string, key: string): string {
  if (typeof key !== "string" || key.length === 0 || key.length > 512) {
    throw new StateStoreError(
      store,
      operation,
      "the key must be a non-empty string of at most 512 characters",
    );
  }
  return key;
}

/** Checks a value (a string); throws {@link StateStoreError}. */
export function checkStateValue(store: string, operation: string, value: string): string {
  if (typeof value !== "string") {
    throw new StateStoreError(store, operation, `the value must be a string, got ${typeof value}`);
  }
  return value;
}

/** Checks a counter step (a safe integer); throws {@link StateStoreError}. */
export function checkStateStep(store: string, operation: string, by: number): number {
  if (!Number.isSafeInteger(by)) {
    throw new StateStoreError(store, operation, `the step must be a safe integer, got ${String(by)}`);
  }
  return by;
}
