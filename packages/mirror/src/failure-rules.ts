import { isServerFailure } from "@switchyard/core";

/**
 * What a status (404 or 429) means for a mirror:
 * - `"answer"`: it is the answer; hand it to the caller.
 * - `"next"`: the mirror is fine but lacks this; try the next mirror without counting a failure.
 * - `"failure"`: count a failure against the mirror and try the next one.
 */
export type StatusPolicy = "answer" | "next" | "failure";

/** How statuses that are neither success nor 5xx are judged. */
export interface StatusRules {
  readonly on404: StatusPolicy;
  readonly on429: StatusPolicy;
}

/** The verdict on one attempt's response. */
export type ResponseVerdict = "answer" | "next" | "failure";

/** Judges a response status: 5xx is always a failure; 404 and 429 follow `rules`; the rest is the answer. */
export function judgeStatus(status: number, rules: StatusRules): ResponseVerdict {
  if (status >= 500 && status <= 599) return "failure";
  if (status === 404) return rules.on404;
  if (status === 429) return rules.on429;
  return "answer";
}

/**
 * Whether an error from one attempt counts against the mirror (and the next one is tried), or ends
 * the call as it is: core's `isServerFailure`, the one rule. Mirror failures: errors core marks
 * transient (connect errors, resets, connect / headers / body timeouts) and every connect error (a
 * TLS handshake a mirror fails is its fault). The caller's abort and the whole-call timeout end
 * the call; so does anything else (bad request, unsupported scheme, a plugin's own error):
 * failing over would only hide it.
 */
export function isMirrorFailure(error: unknown): boolean {
  return isServerFailure(error);
}
