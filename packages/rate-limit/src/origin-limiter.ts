import type { AdaptiveRateSettings } from "./adaptive-rate.ts";
import { AdaptiveRate } from "./adaptive-rate.ts";

/** A request waiting for a concurrency slot. */
interface SlotWaiter {
  readonly grant: () => void;
}

/**
 * One origin's limiter: the adaptive rate, a token bucket paced by it (reservations may drive the
 * tokens below zero: each waiter knows its own slot, no timer is shared), a pause the server asked
 * for (`Retry-After`, `remaining: 0` until reset), and a concurrency limit with a FIFO queue.
 */
export class OriginLimiter {
  readonly rate: AdaptiveRate;
  /** Tokens in the bucket (negative: reservations made ahead). */
  tokens = 0;
  /** No request goes before this (epoch ms). */
  pausedUntil = 0;
  /** Requests holding a concurrency slot. */
  inFlight = 0;
  readonly maxConcurrent: number;
  readonly #burstSeconds: number;
  #lastRefill = 0;
  readonly #waiters: SlotWaiter[] = [];

  constructor(settings: AdaptiveRateSettings, maxConcurrent: number, burstSeconds: number, now: number) {
    this.rate = new AdaptiveRate(settings);
    this.maxConcurrent = maxConcurrent;
    this.#burstSeconds = burstSeconds;
    this.#lastRefill = now;
    this.tokens = this.#capacity();
  }

  /** Requests queued for a concurrency slot. */
  get queued(): number {
    return this.#waiters.length;
  }

  /** Whether a request may go at once without any bookkeeping but the response check. */
  isFree(now: number): boolean {
    return (
      this.rate.rate === Number.POSITIVE_INFINITY &&
      now >= this.pausedUntil &&
      this.maxConcurrent === Number.POSITIVE_INFINITY
    );
  }

  /** Takes a token (a reservation when none is left) and says how long to wait for it, in ms. */
  reserve(now: number): number {
    const pause = Math.max(0, this.pausedUntil - now);
    const rate = this.rate.rate;
    if (rate === Number.POSITIVE_INFINITY) return pause;
    this.#refill(now, rate);
    this.tokens -= 1;
    const tokenWait = this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / rate) * 1000);
    return Math.max(pause, tokenWait);
  }

  /** Gives back a reserved token (the request was aborted or refused before it went). */
  unreserve(): void {
    if (this.rate.rate !== Number.POSITIVE_INFINITY) this.tokens += 1;
  }

  /**
   * Called before the rate drops on a throttle: the time since the last refill is credited at the
   * old rate (a reservation's debt is paid by the time waited), then the bucket is emptied.
   */
  onThrottle(now: number): void {
    const rate = this.rate.rate;
    if (rate !== Number.POSITIVE_INFINITY) this.#refill(now, rate);
    this.#lastRefill = now;
    this.tokens = Math.min(this.tokens, 0);
  }

  /** Keeps the later of the current pause and `now + ms`. */
  pause(now: number, ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + ms);
  }

  /**
   * Takes a concurrency slot: `undefined` when one was free (taken synchronously), else a promise
   * that resolves when one is handed over; an abort removes the waiter and rejects.
   */
  acquireSlot(signal: AbortSignal | undefined, onAbort: () => unknown): Promise<void> | undefined {
    if (this.inFlight < this.maxConcurrent) {
      this.inFlight++;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const abort = (): void => {
        const i = this.#waiters.indexOf(waiter);
        if (i !== -1) this.#waiters.splice(i, 1);
        reject(onAbort());
      };
      const waiter: SlotWaiter = {
        grant: () => {
          signal?.removeEventListener("abort", abort);
          resolve();
        },
      };
      if (signal?.aborted) {
        reject(onAbort());
        return;
      }
      signal?.addEventListener("abort", abort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Gives a slot back; the first waiter (if any) gets it. */
  releaseSlot(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next.grant();
    else this.inFlight--;
  }

  #capacity(): number {
    const rate = this.rate.rate;
    return rate === Number.POSITIVE_INFINITY ? 0 : Math.max(1, rate * this.#burstSeconds);
  }

  #refill(now: number, rate: number): void {
    const elapsed = Math.max(0, now - this.#lastRefill) / 1000;
    this.#lastRefill = now;
    this.tokens = Math.min(this.#capacity(), this.tokens + elapsed * rate);
  }
}
