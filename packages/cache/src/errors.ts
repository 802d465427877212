import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/**
 * A call in `only-if-cached` mode found no stored response it may use. Nothing was sent. Fetch
 * answers this case with a network error and RFC 9111 §5.2.1.7 with a 504; `status` says 504 so a
 * caller can map it either way.
 */
export class CacheMissError extends SwitchyardError {
  override name = "CacheMissError";
  /** The code of every CacheMissError; `instanceof` and `isCacheMissError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_CACHE_MISS";
  /** The status RFC 9111 gives this answer: 504 (Gateway Timeout). */
  readonly status: 504 = 504;

  constructor(options?: SwitchyardErrorOptions) {
    super(
      "SWITCHYARD_ERR_CACHE_MISS",
      'cache mode "only-if-cached" and no stored response matches; nothing was sent (use "force-cache" to fall back to the network)',
      { ...options, transient: false },
    );
  }
}

/**
 * A stored body did not match its recorded integrity (sha256) or size: the entry is evicted and is
 * never served again. Raised on the body stream of a large hit whose corruption is found only as
 * it streams (a small one is checked before the first byte and turned into a miss instead).
 */
export class CacheIntegrityError extends SwitchyardError {
  override name = "CacheIntegrityError";
  /** The code of every CacheIntegrityError; `instanceof` and `isCacheIntegrityError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_CACHE_INTEGRITY";

  constructor(detail: string, options?: SwitchyardErrorOptions) {
    super(
      "SWITCHYARD_ERR_CACHE_INTEGRITY",
      `the stored body failed its integrity check (${detail}); the entry was evicted, ask again to fetch it anew`,
      { ...options, transient: true },
    );
  }
}

/** Tells whether `value` is a {@link CacheMissError} (also across duplicate installs). */
export function isCacheMissError(value: unknown): value is CacheMissError {
  return value instanceof CacheMissError;
}

/** Tells whether `value` is a {@link CacheIntegrityError} (also across duplicate installs). */
export function isCacheIntegrityError(value: unknown): value is CacheIntegrityError {
  return value instanceof CacheIntegrityError;
}
