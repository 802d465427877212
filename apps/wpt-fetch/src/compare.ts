import { type Difference, type Expectations, indexDifferences, subtestKey } from "./expectations.ts";
import { PAGE_SUBTEST, type PageResult } from "./run-pages.ts";

/** Pass counts of one implementation; page pseudo-subtests are counted apart from WPT's subtests. */
export interface Tally {
  readonly passed: number;
  readonly total: number;
  readonly pagesClean: number;
  readonly pages: number;
}

/** A subtest client.fetch fails although Node's fetch passes it. */
export interface Miss {
  readonly page: string;
  readonly name: string;
  readonly message: string;
  /** The listed reason, or undefined for a regression nobody explained. */
  readonly difference: Difference | undefined;
}

/** The outcome of the comparison. */
export interface Comparison {
  readonly node: Tally;
  readonly client: Tally;
  /** Node passes, client fails, with or without a listed reason. */
  readonly misses: readonly Miss[];
  /** Listed subtests that client.fetch now passes (with Node passing too): the entry is stale. */
  readonly stale: readonly {
    readonly page: string;
    readonly name: string;
    readonly difference: Difference;
  }[];
  /** Subtests client.fetch passes and Node's fetch does not. */
  readonly clientOnly: number;
}

function tally(pages: Map<string, PageResult>): Tally {
  let passed = 0;
  let total = 0;
  let pagesClean = 0;
  for (const page of pages.values()) {
    for (const [name, r] of page.subtests) {
      if (name === PAGE_SUBTEST) {
        if (r.pass) pagesClean++;
        continue;
      }
      total++;
      if (r.pass) passed++;
    }
  }
  return { passed, total, pagesClean, pages: pages.size };
}

/**
 * Compares subtest by subtest: every subtest Node's fetch passes, client.fetch must pass, unless
 * the expectations give a reason. A subtest client.fetch never reported (its page crashed or was cut
 * off) counts as failed. Only pages both implementations ran are compared (a run cut short by its
 * time budget has pages one of them never reached) and counted.
 */
export function compareRuns(
  node: Map<string, PageResult>,
  client: Map<string, PageResult>,
  expectations: Expectations,
): Comparison {
  const listed = indexDifferences(expectations);
  const misses: Miss[] = [];
  const stale: { page: string; name: string; difference: Difference }[] = [];
  let clientOnly = 0;
  const both = [...node.keys()].filter((page) => client.has(page));
  node = new Map(both.map((page) => [page, node.get(page)!]));
  client = new Map(both.map((page) => [page, client.get(page)!]));
  for (const [page, nodePage] of node) {
    const clientPage = client.get(page);
    for (const [name, nodeResult] of nodePage.subtests) {
      const clientResult = clientPage?.subtests.get(name);
      const difference = listed.get(subtestKey(page, name));
      if (!nodeResult.pass) {
        if (clientResult?.pass) clientOnly++;
        continue;
      }
      if (clientResult?.pass) {
        if (difference) stale.push({ page, name, difference });
        continue;
      }
      const message = clientResult ? clientResult.message : "not reported (the page crashed or was cut off)";
      misses.push({ page, name, message, difference });
    }
  }
  return { node: tally(node), client: tally(client), misses, stale, clientOnly };
}
