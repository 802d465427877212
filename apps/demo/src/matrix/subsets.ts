import { MATRIX_PLUGIN_NAMES, type MatrixPluginName, PLUGIN_NAMES } from "../plugin-names.ts";
import { mulberry32, shuffled } from "./prng.ts";

/** One matrix row: a subset of the plugins, listed in the (random) order handed to the client. */
export interface Subset {
  /** Bit i set when `MATRIX_PLUGIN_NAMES[i]` is in the subset. */
  readonly mask: number;
  /** The plugins in the order they are listed to `createClient`. */
  readonly listed: readonly MatrixPluginName[];
}

/**
 * How the rows are chosen: `"design"` (the default) is 128 of the 1024 subsets of the ten plugins,
 * `"full"` every one of them.
 */
export type SubsetPlan = "design" | "full";

// The three resilience plugins' membership in the 128-row design, each the parity of four of the
// seven first-round plugins' bits (a 2^(10-3) fractional factorial design of resolution V: the
// defining words ABCDH, CDEFJ, ABEGK and their products have five letters or more). So every
// subset of the seven appears once, each plugin is in exactly half the rows, and each pair of
// plugins is together in exactly a quarter of them.
const GENERATORS: Readonly<Record<"breaker" | "hedge" | "rate-limit", readonly number[]>> = {
  breaker: [0, 1, 2, 3], // retry, retry-after, auth, oci
  hedge: [2, 3, 4, 5], // auth, oci, s3, gcs
  "rate-limit": [0, 1, 4, 6], // retry, retry-after, s3, mirror
};

function parity(mask: number, bits: readonly number[]): number {
  let p = 0;
  for (const b of bits) p ^= (mask >> b) & 1;
  return p;
}

/** The 10-bit mask of design row `base` (a 7-bit subset of the first-round plugins). */
export function designMask(base: number): number {
  let mask = base;
  for (const [name, bits] of Object.entries(GENERATORS)) {
    if (parity(base, bits) === 1) mask |= 1 << MATRIX_PLUGIN_NAMES.indexOf(name as MatrixPluginName);
  }
  return mask;
}

/**
 * The matrix rows, each listed in an order drawn from `seed`: stage ordering in core must make
 * that order irrelevant, so the matrix varies it. `"design"`: 128 rows, every subset of the seven
 * first-round plugins joined by breaker, hedge and rate-limit as the design says (see above);
 * `"full"`: all 2^10 = 1024 subsets.
 */
export function allSubsets(seed: number, plan: SubsetPlan = "design"): Subset[] {
  const random = mulberry32(seed);
  const masks =
    plan === "full"
      ? Array.from({ length: 1 << MATRIX_PLUGIN_NAMES.length }, (_, m) => m)
      : Array.from({ length: 1 << PLUGIN_NAMES.length }, (_, base) => designMask(base));
  return masks.map((mask) => {
    const members = MATRIX_PLUGIN_NAMES.filter((_, i) => (mask & (1 << i)) !== 0);
    return { mask, listed: shuffled(members, random) };
  });
}

/** Tells whether the subset contains `name`. */
export function hasPlugin(subset: Subset, name: MatrixPluginName): boolean {
  return (subset.mask & (1 << MATRIX_PLUGIN_NAMES.indexOf(name))) !== 0;
}
