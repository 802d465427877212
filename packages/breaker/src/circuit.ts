import type { WindowCounts } from "./sliding-window.ts";
import { SlidingWindow } from "./sliding-window.ts";

/** Where a circuit counts outcomes: this process's {@link SlidingWindow}, or the fleet's (`SharedWindow`). */
export interface OutcomeWindow {
  record(now: number, failed: boolean): void;
  counts(now: number): WindowCounts;
  clear(now: number): void;
}

/** The three states of a circuit. */
export type CircuitState = "closed" | "open" | "half-open";

/** The numbers a {@link Circuit} decides with (validated by the factory). */
export interface CircuitSettings {
  readonly failureRatio: number;
  readonly minimumRequests: number;
  readonly windowMs: number;
  readonly buckets: number;
  readonly openMs: number;
  readonly halfOpenProbes: number;
}

/** What {@link Circuit.admit} decides for one request. */
export type Admission =
  | { readonly kind: "pass" }
  | { readonly kind: "probe" }
  | { readonly kind: "reject"; readonly state: "open" | "half-open"; readonly probeAt: number };

/** A state change, for the middleware to publish. */
export type Transition = "open" | "half-open" | "close";

const PASS: Admission = Object.freeze({ kind: "pass" });
const PROBE: Admission = Object.freeze({ kind: "probe" });

/**
 * One origin's breaker, pure policy: the caller passes the time in, so every transition is tested
 * with plain numbers. Closed counts outcomes in a sliding window and opens when, with at least
 * `minimumRequests` in the window, the failure ratio reaches `failureRatio`. Open rejects until
 * `openMs` has passed, then turns half-open: up to `halfOpenProbes` requests go through at once;
 * one failed probe opens it again, `halfOpenProbes` successful probes close it.
 */
export class Circuit {
  state: CircuitState = "closed";
  /** While open: when a probe may go (epoch ms). */
  openUntil = 0;
  /** Probes in flight while half-open. */
  probes = 0;
  /** Successful probes since it turned half-open. */
  successes = 0;
  /** How many times it opened, for snapshots. */
  opened = 0;
  readonly #settings: CircuitSettings;
  readonly #window: OutcomeWindow;

  constructor(settings: CircuitSettings, window?: OutcomeWindow) {
    this.#settings = settings;
    this.#window = window ?? new SlidingWindow(settings.windowMs, settings.buckets);
  }

  /** Decides whether a request may go now (an open circuit whose time is up turns half-open). */
  admit(now: number): Admission {
    if (this.state === "closed") return PASS;
    if (this.state === "open") {
      if (now < this.openUntil) return { kind: "reject", state: "open", probeAt: this.openUntil };
      this.state = "half-open";
      this.probes = 0;
      this.successes = 0;
    }
    if (this.probes < this.#settings.halfOpenProbes) {
      this.probes++;
      return PROBE;
    }
    return { kind: "reject", state: "half-open", probeAt: now };
  }

  /**
   * Records the outcome of an admitted request. Outcomes of requests admitted while closed that end
   * after the circuit opened are ignored: the decision is made.
   */
  record(now: number, failed: boolean, probe: boolean): Transition | undefined {
    if (probe) {
      if (this.state !== "half-open") return undefined;
      this.probes--;
      if (failed) return this.#open(now, this.#settings.openMs);
      if (++this.successes < this.#settings.halfOpenProbes) return undefined;
      this.state = "closed";
      this.#window.clear(now);
      return "close";
    }
    if (this.state !== "closed") return undefined;
    this.#window.record(now, failed);
    if (!failed) return undefined;
    return this.evaluate(now);
  }

  /**
   * Opens a closed circuit whose window has reached the thresholds: called on each failure, and
   * when a shared window hears the fleet's counts (other processes' failures count too).
   */
  evaluate(now: number): Transition | undefined {
    if (this.state !== "closed") return undefined;
    const { total, failures } = this.#window.counts(now);
    if (
      failures === 0 ||
      total < this.#settings.minimumRequests ||
      failures / total < this.#settings.failureRatio
    ) {
      return undefined;
    }
    return this.#open(now, this.#settings.openMs);
  }

  /** A probe that ended without a verdict (the caller aborted): its slot is free again. */
  release(probe: boolean): void {
    if (probe && this.state === "half-open" && this.probes > 0) this.probes--;
  }

  /**
   * Another process opened this circuit (seen through the state store): open until `inMs` from
   * now, never shortening an open period. Returns "open" when this changed the state.
   */
  openRemotely(now: number, inMs: number): Transition | undefined {
    const until = now + inMs;
    if (this.state === "open") {
      this.openUntil = Math.max(this.openUntil, until);
      return undefined;
    }
    // Probes in flight here decide for this process; the fleet's deadline does not cut them off.
    if (this.state === "half-open" && this.probes > 0) return undefined;
    return this.#open(now, inMs);
  }

  /** The window's counts now, for snapshots. */
  counts(now: number): { total: number; failures: number } {
    return this.#window.counts(now);
  }

  #open(now: number, ms: number): Transition {
    this.state = "open";
    this.openUntil = now + ms;
    this.probes = 0;
    this.successes = 0;
    this.opened++;
    this.#window.clear(now);
    return "open";
  }
}
