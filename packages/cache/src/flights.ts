/**
 * One fill or revalidation in flight per key: the first call enters and later calls for the same
 * key wait for it, then look the entry up again (they never take the first call's response object,
 * so each still checks its own Vary and credentials against what was stored).
 */
export class Flights {
  readonly #inFlight = new Map<string, Promise<void>>();

  /** The flight for `key`, if one is running. */
  get(key: string): Promise<void> | undefined {
    return this.#inFlight.get(key);
  }

  /** Starts the flight for `key`; the returned function ends it (once; later calls do nothing). */
  enter(key: string): () => void {
    let land!: () => void;
    const flight = new Promise<void>((resolve) => {
      land = resolve;
    });
    this.#inFlight.set(key, flight);
    let landed = false;
    return () => {
      if (landed) return;
      landed = true;
      if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
      land();
    };
  }

  /** Every flight running now. */
  all(): Promise<void>[] {
    return [...this.#inFlight.values()];
  }
}
