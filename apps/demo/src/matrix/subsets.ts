import { PLUGIN_NAMES, type PluginName } from "../plugin-names.ts";
import { mulberry32, shuffled } from "./prng.ts";

/** One matrix row: a subset of the plugins, listed in the (random) order handed to the client. */
export interface Subset {
  /** 0..127: bit i set when `PLUGIN_NAMES[i]` is in the subset. */
  readonly mask: number;
  /** The plugins in the order they are listed to `createClient`. */
  readonly listed: readonly PluginName[];
}

/**
 * Every subset of the seven plugins (2^7 = 128), by mask, each listed in an order drawn from
 * `seed`: stage ordering in core must make that order irrelevant, so the matrix varies it.
 */
export function allSubsets(seed: number): Subset[] {
  const random = mulberry32(seed);
  const rows: Subset[] = [];
  for (let mask = 0; mask < 1 << PLUGIN_NAMES.length; mask++) {
    const members = PLUGIN_NAMES.filter((_, i) => (mask & (1 << i)) !== 0);
    rows.push({ mask, listed: shuffled(members, random) });
  }
  return rows;
}

/** Tells whether the subset contains `name`. */
export function hasPlugin(subset: Subset, name: PluginName): boolean {
  return (subset.mask & (1 << PLUGIN_NAMES.indexOf(name))) !== 0;
}
