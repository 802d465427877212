import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/**
 * What became of one mirror in a call that no mirror could serve:
 * - `failed`: tried in this call and failed (error, 5xx, or a status counted as failure);
 * - `next`: answered (e.g. 404) but did not have the file;
 * - `cooling`: not tried, skipped while cooling down after too many failures;
 * - `skipped`: not tried, it does not carry this kind of file (`noZstd`, `noBz2`, `skip`);
 * - `not-tried`: not tried because the attempts ran out or the body could not be sent again.
 */
export type MirrorOutcome = "failed" | "next" | "cooling" | "skipped" | "not-tried";

/**
 * One mirror's line in {@link AllMirrorsFailedError} and in `mirrorRouteKey`'s `attempts`. No
 * secrets: URLs and texts are redacted. Its `url` is named as in `snapshot()`.
 */
export interface MirrorReport {
  /** The mirror URL (redacted); for the origin, the prefix. */
  readonly url: string;
  readonly kind: "mirror" | "origin";
  readonly outcome: MirrorOutcome;
  /** The status it answered in this call, if it answered. */
  readonly status?: number | undefined;
  /** This call's error for it, or else its last recorded error. */
  readonly error?: string | undefined;
  /** Its failure count after this call. */
  readonly failures: number;
}

function line(r: MirrorReport): string {
  const who = r.kind === "origin" ? `origin ${r.url}` : r.url;
  const last = r.error === undefined ? "" : ` (last error: ${r.error})`;
  switch (r.outcome) {
    case "failed":
      return `${who} failed: ${r.error ?? `HTTP ${r.status}`}`;
    case "next":
      return `${who} answered ${r.status} (does not have it)`;
    case "cooling":
      return `${who} skipped, cooling down after ${r.failures} failures${last}`;
    case "skipped":
      return `${who} skipped, it does not carry this kind of file`;
    case "not-tried":
      return `${who} not tried${last}`;
  }
}

/**
 * No mirror (nor the origin, when enabled) could serve the call. `mirrors` lists each one with what
 * happened to it and its last error. `transient` is true when at least one failure was (a retry
 * outside the mirror middleware re-selects mirrors and may succeed).
 */
export class AllMirrorsFailedError extends SwitchyardError {
  override name = "AllMirrorsFailedError";
  /** The code of every AllMirrorsFailedError; `instanceof` and `isAllMirrorsFailedError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_ALL_MIRRORS_FAILED";
  /** The prefix whose pool was exhausted (normalised, redacted). */
  readonly prefix: string;
  readonly mirrors: readonly MirrorReport[];

  constructor(
    prefix: string,
    mirrors: readonly MirrorReport[],
    options: SwitchyardErrorOptions & { readonly why?: string | undefined } = {},
  ) {
    const why = options.why === undefined ? "" : `; ${options.why}`;
    const message =
      `no mirror of ${prefix} could serve the request${why}. ` +
      `${mirrors.map(line).join("; ")}. ` +
      "Check the mirrors listed, add one, or enable fallbackToOrigin";
    super("SWITCHYARD_ERR_ALL_MIRRORS_FAILED", message, options);
    this.prefix = prefix;
    this.mirrors = Object.freeze([...mirrors]);
  }
}

/** Tells whether `value` is an {@link AllMirrorsFailedError} (also across duplicate installs). */
export function isAllMirrorsFailedError(value: unknown): value is AllMirrorsFailedError {
  return value instanceof AllMirrorsFailedError;
}
