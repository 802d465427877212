import type { Comparison, Miss, Tally } from "./compare.ts";

/** Failures of one listed category (or of nothing listed: regressions). */
export interface CategoryCount {
  readonly category: string;
  readonly kind: "cannot-apply" | "defect" | "regression";
  readonly subtests: number;
}

/** What one run found, as written to `--report` and summed up on stdout. */
export type WptReport =
  | { readonly verdict: "skipped"; readonly reason: string }
  | {
      /** "incomplete": no problem among the pages that ran, but the budget left some unrun. */
      readonly verdict: "pass" | "fail" | "incomplete";
      /** Why the verdict is "fail", one line each. */
      readonly problems: readonly string[];
      readonly source: string;
      readonly ms: number;
      readonly pages: number;
      readonly skippedPages: readonly { readonly path: string; readonly note: string }[];
      readonly pagesWithoutFetch: readonly string[];
      readonly node: Tally;
      readonly client: Tally;
      readonly clientOnly: number;
      readonly categories: readonly CategoryCount[];
      readonly regressions: readonly Omit<Miss, "difference">[];
      readonly stale: readonly { readonly page: string; readonly name: string; readonly category: string }[];
      readonly notReached: readonly string[];
    };

/** What {@link buildReport} needs from a run. */
export interface RunSummary {
  readonly source: string;
  readonly pages: number;
  readonly skipped: readonly { readonly path: string; readonly note: string }[];
  readonly withoutFetch: readonly string[];
  /** A WPT_FILTER run checks only a part; its counts are not the suite's. */
  readonly filtered: boolean;
  readonly ms: number;
  readonly notReached: readonly string[];
  readonly serverDied: string | undefined;
  readonly comparison: Comparison;
}

/**
 * Turns a comparison into a verdict: an unexplained miss, a stale entry, a dead server or a broken
 * harness fail; a run the budget cut short with none of those is "incomplete" (not a pass).
 */
export function buildReport(run: RunSummary): WptReport {
  const { comparison: c } = run;
  const counts = new Map<string, CategoryCount>();
  for (const miss of c.misses) {
    const category = miss.difference?.category ?? "regression (not listed)";
    const kind = miss.difference?.kind ?? "regression";
    const prev = counts.get(category);
    counts.set(category, { category, kind, subtests: (prev?.subtests ?? 0) + 1 });
  }
  const regressions = c.misses.filter((m) => m.difference === undefined);
  const problems: string[] = [];
  const incomplete = run.notReached.length > 0;
  // A whole run where Node's fetch passes this little means the harness broke, not client.fetch.
  if (!incomplete && c.node.passed < (run.filtered ? 1 : 300)) {
    problems.push(`Node's fetch passed only ${c.node.passed} subtests: the harness itself is broken`);
  }
  if (regressions.length > 0) {
    problems.push(
      `${regressions.length} subtests pass with Node's fetch and fail with client.fetch, unlisted`,
    );
  }
  if (c.stale.length > 0)
    problems.push(`${c.stale.length} listed subtests now pass: remove them from expectations.json`);
  if (run.serverDied) problems.push(run.serverDied);
  return {
    verdict: problems.length > 0 ? "fail" : incomplete ? "incomplete" : "pass",
    problems,
    source: run.source,
    ms: run.ms,
    pages: run.pages,
    skippedPages: run.skipped,
    pagesWithoutFetch: run.withoutFetch,
    node: c.node,
    client: c.client,
    clientOnly: c.clientOnly,
    categories: [...counts.values()].sort((a, b) => b.subtests - a.subtests),
    regressions: regressions.map(({ page, name, message }) => ({ page, name, message })),
    stale: c.stale.map(({ page, name, difference }) => ({ page, name, category: difference.category })),
    notReached: run.notReached,
  };
}

/** A human summary of a report. */
export function formatReport(r: WptReport): string {
  if (r.verdict === "skipped") return `WPT fetch: SKIPPED (not run, not passed): ${r.reason}`;
  const lines = [
    `WPT fetch subset from ${r.source}: ${r.pages} pages, ${r.skippedPages.length} skipped as undici skips them, ${r.pagesWithoutFetch.length} left out as they never call fetch(), ${r.ms} ms`,
    `Node's fetch passes ${r.node.passed} of ${r.node.total} subtests; client.fetch passes ${r.client.passed} of ${r.client.total}`,
    `pages ending cleanly (no crash, no cut-off): Node ${r.node.pagesClean}/${r.node.pages}, client.fetch ${r.client.pagesClean}/${r.client.pages}`,
    `client.fetch passes ${r.clientOnly} subtests Node's fetch fails`,
    "Subtests Node passes and client.fetch fails, by category:",
    ...r.categories.map((c) => `  ${String(c.subtests).padStart(4)}  [${c.kind}] ${c.category}`),
  ];
  for (const m of r.regressions)
    lines.push(`REGRESSION ${m.page} :: ${m.name}\n    ${m.message.split("\n")[0]}`);
  for (const s of r.stale)
    lines.push(`STALE ${s.page} :: ${s.name} (listed under "${s.category}", now passes)`);
  for (const n of r.notReached.slice(0, 20)) lines.push(`NOT RUN (budget) ${n}`);
  const notRun = `the time budget (WPT_BUDGET_MS) ran out: ${r.notReached.length} of ${2 * r.pages} page runs not compared`;
  if (r.verdict === "pass") lines.push("WPT fetch: PASS");
  else if (r.verdict === "incomplete")
    lines.push(`WPT fetch: INCOMPLETE (not passed): ${notRun}; no problem in the rest`);
  else
    lines.push(
      `WPT fetch: FAIL\n  ${[...r.problems, ...(r.notReached.length > 0 ? [notRun] : [])].join("\n  ")}`,
    );
  return lines.join("\n");
}
