/**
 * Caps extra requests at a fraction of calls: every call earns `ratio` credit (at most `burst`
 * saved up), a hedge spends 1. At 0.05, twenty calls pay for one hedge, so a slow origin can never
 * make the client send more than 5 % extra, however slow it gets.
 */
export class ExtraLoadBucket {
  readonly #ratio: number;
  readonly #burst: number;
  #credit: number;

  constructor(ratio: number, burst = 10) {
    this.#ratio = ratio;
    this.#burst = burst;
    this.#credit = 0;
  }

  /** Credit saved up now. */
  get credit(): number {
    return this.#credit;
  }

  /** One call started: earn its share. */
  earn(): void {
    this.#credit = Math.min(this.#burst, this.#credit + this.#ratio);
  }

  /** Spends 1 for a hedge; false (spending nothing) when there is not enough. */
  spend(): boolean {
    if (this.#credit < 1) return false;
    this.#credit -= 1;
    return true;
  }
}
