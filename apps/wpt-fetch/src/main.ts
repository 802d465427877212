// Runs the WPT fetch subset (undici's harness at 7.15.0) against Node's fetch and client.fetch in
// one run and compares them subtest by subtest; see README.md.
//
//   node src/main.ts [--report out.json]
//   env: SWITCHYARD_UNDICI_CHECKOUT / SWITCHYARD_UNDICI_GIT (where undici is), WPT_FILTER (page id
//   substring), WPT_CONCURRENCY (workers, default 6), WPT_BUDGET_MS (default 80000; the vitest test sets 75000)
import { writeFileSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compareRuns } from "./compare.ts";
import { loadExpectations } from "./expectations.ts";
import { buildReport, formatReport, type WptReport } from "./report.ts";
import { runPages } from "./run-pages.ts";
import { planWpt } from "./test-files.ts";
import { locateUndiciCheckout } from "./undici-checkout.ts";
import { startWptServer } from "./wpt-server.ts";

const { values } = parseArgs({ options: { report: { type: "string" } } });
const EXPECTATIONS = new URL("../expectations.json", import.meta.url).pathname;
// Each page runs in a fresh worker that loads core's TypeScript; cache the compiled code across them.
enableCompileCache(join(tmpdir(), "switchyard-wpt-compile-cache"));

function finish(report: WptReport): never {
  if (values.report) writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
  console.log(formatReport(report));
  process.exit(report.verdict === "fail" ? 1 : report.verdict === "incomplete" ? 3 : 0);
}

const checkout = locateUndiciCheckout();
if (!checkout.found) finish({ verdict: "skipped", reason: checkout.reason });

const expectations = loadExpectations(EXPECTATIONS);
const server = await startWptServer(checkout.dir);
let report: WptReport;
try {
  const plan = await planWpt(checkout.dir, server.url, expectations.alsoRun);
  const filter = process.env.WPT_FILTER ?? "";
  const pages = plan.pages.filter((page) => page.id.includes(filter));
  const started = performance.now();
  const run = await runPages(
    pages,
    ["node", "switchyard"],
    { serverUrl: server.url, harnessPath: join(checkout.dir, "test/fixtures/wpt/resources/testharness.js") },
    Number(process.env.WPT_CONCURRENCY ?? 6),
    Number(process.env.WPT_BUDGET_MS ?? 80_000),
  );
  const comparison = compareRuns(run.byImpl.get("node")!, run.byImpl.get("switchyard")!, expectations);
  report = buildReport({
    source: checkout.source,
    pages: pages.length,
    skipped: plan.skipped,
    withoutFetch: plan.withoutFetch,
    filtered: filter !== "",
    ms: Math.round(performance.now() - started),
    notReached: run.notReached,
    serverDied: server.died(),
    comparison,
  });
} finally {
  await server.stop();
}
finish(report);
