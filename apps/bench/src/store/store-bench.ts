import { runInChild } from "../child.ts";

/** One run of the store benchmark. */
export interface StoreResult {
  readonly capacity: number;
  readonly targets: number;
  /** heapUsed after GC before the first request, bytes. */
  readonly before: number;
  /** Store size and heapUsed after GC at each checkpoint. */
  readonly samples: readonly { targets: number; size: number; heapUsed: number }[];
  /** Wall time per request through the middleware (no network), nanoseconds. */
  readonly nsPerRequest: number;
}

/** The verdicts drawn from one run. */
export interface StoreReport extends StoreResult {
  /** The store held exactly `capacity` targets at every checkpoint past capacity. */
  readonly atBound: boolean;
  /** heapUsed at the last checkpoint minus at the first one past capacity, bytes. */
  readonly heapGrowthAfterBound: number;
  /** Flat: that growth is under 1 MiB (GC noise), whatever the number of targets. */
  readonly flat: boolean;
}

/**
 * Drives retry-after with `targets` distinct origins, each answering 429 with `Retry-After: 60`,
 * in a fresh child with `--expose-gc`; checks the store stays at its bound and the heap flat.
 */
export async function runStore(targets: number, capacities: readonly number[]): Promise<StoreReport[]> {
  const reports: StoreReport[] = [];
  for (const capacity of capacities) {
    const checkpoints = [capacity, capacity * 2, ...[0.25, 0.5, 0.75, 1].map((f) => Math.round(targets * f))]
      .filter((n, i, all) => n <= targets && all.indexOf(n) === i)
      .sort((a, b) => a - b);
    const result = await runInChild<StoreResult>(
      new URL("./store/store-child.ts", new URL("../", import.meta.url)),
      { targets, capacity, checkpoints },
      { timeoutMs: 120_000 + targets / 10 },
    );
    const past = result.samples.filter((s) => s.targets >= capacity);
    const first = past[0];
    const last = past[past.length - 1];
    const growth = first && last ? last.heapUsed - first.heapUsed : 0;
    reports.push({
      ...result,
      atBound: past.every((s) => s.size === capacity),
      heapGrowthAfterBound: growth,
      flat: growth < 1024 * 1024,
    });
  }
  return reports;
}
