import { rm } from "node:fs/promises";
import cacache from "cacache";
import type { RmEntry } from "./cacache-types.ts";

/**
 * Removes the least recently written (or touched) entries of the cacache directory `dir` until the
 * bodies left weigh at most `target` bytes; resolves with the bytes left. Content shared by two
 * keys is counted once and removed with the last key that uses it.
 */
export async function evictLeastRecent(
  dir: string,
  target: number,
  onEvicted: (key: string, size: number) => void,
): Promise<number> {
  const entries = Object.values(await cacache.ls(dir)).sort((a, b) => a.time - b.time);
  const users = new Map<string, number>();
  let total = 0;
  for (const e of entries) {
    const n = users.get(e.integrity) ?? 0;
    if (n === 0) total += e.size ?? 0;
    users.set(e.integrity, n + 1);
  }
  for (const e of entries) {
    if (total <= target) break;
    await (cacache.rm.entry as RmEntry)(dir, e.key, { removeFully: true });
    const left = (users.get(e.integrity) ?? 1) - 1;
    users.set(e.integrity, left);
    if (left === 0) {
      await rm(e.path, { force: true });
      total -= e.size ?? 0;
    }
    onEvicted(e.key, e.size ?? 0);
  }
  return total;
}
