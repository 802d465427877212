import { readFileSync } from "node:fs";

/**
 * Why client.fetch may fail a subtest Node's fetch passes: `cannot-apply` (a client that runs
 * requests through middleware cannot or should not behave that way) or `defect` (a known gap of
 * client.fetch, tracked in issue 15; the entry goes once it is fixed).
 */
export type DifferenceKind = "cannot-apply" | "defect";

/** One reason, and the subtests it covers. */
export interface Difference {
  readonly kind: DifferenceKind;
  /** Short name of the category, used in reports. */
  readonly category: string;
  /** Our explanation, in our words. */
  readonly why: string;
  /** Page id -> subtest names (exact, as testharness reports them). */
  readonly subtests: Readonly<Record<string, readonly string[]>>;
  /**
   * Node major version the difference shows on, when it shows on one only (e.g. "22": a bug of
   * core's stream bridge that Node 26 no longer triggers).
   * @default every version
   */
  readonly node?: string;
}

/** The committed expectation file (`expectations.json`). */
export interface Expectations {
  /** Folders or files under `fetch/` that undici's status file skips but this suite runs anyway. */
  readonly alsoRun: readonly string[];
  readonly differences: readonly Difference[];
}

/** The Node major version this process runs on, as the `node` field of a difference names it. */
export const NODE_MAJOR: string = process.versions.node.split(".")[0]!;

/**
 * Where each listed subtest's reason is, `page \u0000 subtest` -> difference, for the differences that
 * apply on Node `major`.
 */
export function indexDifferences(
  expectations: Expectations,
  major: string = NODE_MAJOR,
): Map<string, Difference> {
  const index = new Map<string, Difference>();
  for (const difference of expectations.differences) {
    if (difference.node !== undefined && difference.node !== major) continue;
    for (const [page, names] of Object.entries(difference.subtests)) {
      for (const name of names) {
        const key = subtestKey(page, name);
        if (index.has(key)) throw new Error(`expectations list ${page} "${name}" twice`);
        index.set(key, difference);
      }
    }
  }
  return index;
}

/** The key of one subtest across implementations. */
export function subtestKey(page: string, name: string): string {
  return `${page}\u0000${name}`;
}

/** Reads and checks the expectation file. */
export function loadExpectations(path: string): Expectations {
  const data = JSON.parse(readFileSync(path, "utf8")) as Expectations;
  if (!Array.isArray(data.alsoRun) || !Array.isArray(data.differences)) {
    throw new Error(`${path}: expected { alsoRun: [], differences: [] }`);
  }
  for (const d of data.differences) {
    if (d.kind !== "cannot-apply" && d.kind !== "defect")
      throw new Error(`${path}: bad kind ${String(d.kind)}`);
    if (!d.category || !d.why) throw new Error(`${path}: every difference needs a category and a why`);
    if (d.node !== undefined && !/^\d+$/.test(d.node))
      throw new Error(`${path}: node must be a major version`);
  }
  for (const major of new Set(data.differences.map((d) => d.node ?? NODE_MAJOR)))
    indexDifferences(data, major);
  return data;
}
