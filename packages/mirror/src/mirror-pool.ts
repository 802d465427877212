import type { ConfigDefaults, ParsedMirror, ParsedPrefix, PrefixConfig } from "./mirror-config.ts";
import { parsePrefixConfig } from "./mirror-config.ts";
import type { UrlPrefix } from "./mirror-prefix.ts";
import type { Availability } from "./select-order.ts";
import { availabilityOf, decayFailures } from "./select-order.ts";
import type { SharedHealth } from "./shared-health.ts";

/** One mirror's state, read-only, for logs and UIs. URLs are redacted. */
export interface MirrorSnapshot {
  /** The mirror URL (redacted); for the origin entry, the prefix. */
  readonly url: string;
  /** `"origin"` for the original URL used as the last resort. */
  readonly kind: "mirror" | "origin";
  /** Failures counted now (after decay); a success resets it. */
  readonly failures: number;
  /** The limit past which the mirror is skipped until its cool-down ends (Infinity: never). */
  readonly maxFailures: number;
  /** `healthy`, `probe` (cool-down over, the next request may try it) or `cooling` (skipped). */
  readonly availability: Availability;
  /** Whether it ever answered with an HTTP response (any status). */
  readonly everAnswered: boolean;
  /** The last failure, as text without secrets. */
  readonly lastError: string | undefined;
  /** Epoch ms of the last success, if any. */
  readonly lastSuccess: number | undefined;
  /** Epoch ms of the last failure, if any. */
  readonly lastFailure: number | undefined;
  /** Successes and failures since the mirror entered the pool (kept across replacements). */
  readonly successes: number;
  readonly totalFailures: number;
}

/** A pool's state, read-only. */
export interface PoolSnapshot {
  /** The prefix (normalised, redacted). */
  readonly prefix: string;
  readonly fallbackToOrigin: boolean;
  /** Mirrors in configured order; the origin entry last when `fallbackToOrigin` is on. */
  readonly mirrors: readonly MirrorSnapshot[];
}

/** The pool of one prefix, as the `mirror()` middleware exposes it. */
export interface MirrorPool {
  /** The prefix (normalised, redacted). */
  readonly prefix: string;
  /**
   * Replaces this prefix's mirrors at run time. Mirrors present before and after (same URL without
   * userinfo) keep their history: failures, last error, successes (nats.rs `set_server_pool`).
   * Throws InvalidOptionsError, leaving the pool as it was, when the list is invalid.
   */
  replace(config: PrefixConfig): void;
  /** The state of every mirror, read-only. */
  snapshot(): PoolSnapshot;
}

/**
 * A mirror's mutable history. Pool replacement hands the same object to the new entry, so
 * outcomes of requests still in flight on the old entries land in the kept history.
 */
export class MirrorState {
  failures = 0;
  /** Decay anchor: when `failures` last changed by a failure or a decay step. */
  anchor = 0;
  lastError: string | undefined = undefined;
  everAnswered = false;
  lastSuccess: number | undefined = undefined;
  lastFailure: number | undefined = undefined;
  /** A request is probing this mirror after its cool-down; others keep skipping it. */
  probing = false;
  successes = 0;
  totalFailures = 0;
}

/** A mirror (or the origin) inside a pool. */
export interface PoolEntry extends ParsedMirror {
  readonly kind: "mirror" | "origin";
  readonly state: MirrorState;
}

/** Timing settings shared by every pool of one middleware. */
export interface PoolSettings {
  readonly cooldownMs: number;
  readonly failureDecayMs: number;
  readonly defaults: ConfigDefaults;
  readonly now: () => number;
  /** Health shared with other processes through a state store, if configured. */
  readonly health?: SharedHealth | undefined;
}

/** What one mirror looks like to selection at a given time. */
export interface EntryStanding {
  readonly entry: PoolEntry;
  readonly failures: number;
  readonly availability: Availability;
}

function originEntry(parsed: ParsedPrefix, state: MirrorState): PoolEntry {
  return {
    kind: "origin",
    base: parsed.prefix.key,
    key: parsed.prefix.key,
    redacted: parsed.redacted,
    origin: parsed.prefix.base,
    maxFailures: Number.POSITIVE_INFINITY,
    carries: () => true,
    secrets: [],
    state,
  };
}

/** The pool of one prefix: entries in configured order with their history. */
export class Pool implements MirrorPool {
  readonly #settings: PoolSettings;
  #parsed: ParsedPrefix;
  #entries: readonly PoolEntry[];
  #origin: PoolEntry;

  constructor(parsed: ParsedPrefix, settings: PoolSettings) {
    this.#settings = settings;
    this.#parsed = parsed;
    this.#entries = [];
    this.#origin = originEntry(parsed, new MirrorState());
    this.#install(parsed, undefined);
  }

  get prefix(): string {
    return this.#parsed.redacted;
  }

  get urlPrefix(): UrlPrefix {
    return this.#parsed.prefix;
  }

  get fallbackToOrigin(): boolean {
    return this.#parsed.fallbackToOrigin;
  }

  /** Mirrors in configured order (without the origin). */
  get entries(): readonly PoolEntry[] {
    return this.#entries;
  }

  get origin(): PoolEntry {
    return this.#origin;
  }

  replace(config: PrefixConfig): void {
    const parsed = parsePrefixConfig(this.#parsed.prefix.key, config, this.#settings.defaults);
    this.#install(parsed, this);
  }

  /** Installs an already validated list, keeping the history of mirrors present before and after. */
  install(parsed: ParsedPrefix): void {
    this.#install(parsed, this);
  }

  #install(parsed: ParsedPrefix, previous: Pool | undefined): void {
    const kept = new Map<string, MirrorState>();
    for (const entry of previous?.entries ?? []) kept.set(entry.key, entry.state);
    this.#entries = Object.freeze(
      parsed.mirrors.map((m) => ({
        ...m,
        kind: "mirror" as const,
        state: kept.get(m.key) ?? new MirrorState(),
      })),
    );
    this.#origin = originEntry(parsed, previous?.origin.state ?? this.#origin.state);
    this.#parsed = parsed;
  }

  /** Applies decay to `entry`'s failures as of `now` and returns them. */
  failuresOf(entry: PoolEntry, now: number): number {
    const s = entry.state;
    const next = decayFailures(
      { failures: s.failures, anchor: s.anchor },
      now,
      this.#settings.failureDecayMs,
    );
    s.failures = next.failures;
    s.anchor = next.anchor;
    return s.failures;
  }

  /** Every mirror's standing as of `now`, in configured order. */
  standings(now: number): EntryStanding[] {
    return this.#entries.map((entry) => this.standingOf(entry, now));
  }

  standingOf(entry: PoolEntry, now: number): EntryStanding {
    const failures = this.failuresOf(entry, now);
    const availability = availabilityOf({
      failures,
      maxFailures: entry.maxFailures,
      lastFailure: entry.state.lastFailure,
      probing: entry.state.probing,
      now,
      cooldownMs: this.#settings.cooldownMs,
    });
    return { entry, failures, availability };
  }

  /** Records an HTTP answer that is not a failure; returns the failures it had before (reset to 0). */
  recordSuccess(entry: PoolEntry, now: number): number {
    const s = entry.state;
    const before = this.failuresOf(entry, now);
    s.failures = 0;
    s.anchor = now;
    s.everAnswered = true;
    s.lastSuccess = now;
    s.probing = false;
    s.successes++;
    if (before > 0) this.#settings.health?.recovered(entry);
    return before;
  }

  /** Records a failure; returns the new failure count. */
  recordFailure(entry: PoolEntry, now: number, text: string, answered: boolean): number {
    const s = entry.state;
    s.failures = this.failuresOf(entry, now) + 1;
    s.anchor = now;
    s.lastFailure = now;
    s.lastError = text;
    s.probing = false;
    s.totalFailures++;
    if (answered) s.everAnswered = true;
    this.#settings.health?.failed(entry, s.failures);
    return s.failures;
  }

  snapshot(): PoolSnapshot {
    const now = this.#settings.now();
    const mirrors = this.#entries.map((entry) => snapshotOf(this.standingOf(entry, now)));
    if (this.fallbackToOrigin) mirrors.push(snapshotOf(this.standingOf(this.#origin, now)));
    return Object.freeze({
      prefix: this.prefix,
      fallbackToOrigin: this.fallbackToOrigin,
      mirrors: Object.freeze(mirrors),
    });
  }
}

/** A frozen snapshot of one standing. */
export function snapshotOf(standing: EntryStanding): MirrorSnapshot {
  const { entry, failures, availability } = standing;
  const s = entry.state;
  return Object.freeze({
    url: entry.redacted,
    kind: entry.kind,
    failures,
    maxFailures: entry.maxFailures,
    availability,
    everAnswered: s.everAnswered,
    lastError: s.lastError,
    lastSuccess: s.lastSuccess,
    lastFailure: s.lastFailure,
    successes: s.successes,
    totalFailures: s.totalFailures,
  });
}
