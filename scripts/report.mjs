#!/usr/bin/env node
// Counts results from vitest's JSON report, for the `N passed, N failed[, N skipped]` line that
// `npm test` and .ci/run end with. Plain JavaScript that runs on Node 20 too (.ci/run calls it with
// whatever Node the machine has).
//
//   node scripts/report.mjs <name>=<report.json>[:<exit code>] ...
//
// prints what each run counted and, last, one line summed over all of them; exits 1 when anything
// failed or nothing ran. `<name>=-:<exit code>` is a step without a report (a failed one counts as
// one failure).
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Counts one vitest JSON report. A test file that failed without a failed test in it (it did not
 * load, or a hook threw) counts as one failure: it is a real failure that numFailedTests leaves out.
 */
export function countReport(report) {
  const passed = report.numPassedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const failedFiles = [];
  for (const file of report.testResults ?? []) {
    const failedInside = (file.assertionResults ?? []).some((a) => a.status === "failed");
    if (file.status === "failed" && !failedInside)
      failedFiles.push({ name: file.name, message: file.message ?? "" });
  }
  return { passed, failed: (report.numFailedTests ?? 0) + failedFiles.length, skipped, failedFiles };
}

/** The `n` test files that took longest, for keeping CI inside its time budget. */
export function slowestFiles(report, n = 5) {
  return (report.testResults ?? [])
    .map((file) => ({
      name: relative(process.cwd(), file.name),
      seconds: (file.endTime - file.startTime) / 1000,
    }))
    .filter((file) => Number.isFinite(file.seconds))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, n);
}

/**
 * The failed tests, each with its file and the first line of its first failure, so that the end of
 * a CI log (often all that is kept of it) says what failed, not only how many.
 */
export function failedTests(report, n = 20) {
  const failed = [];
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status !== "failed") continue;
      const message = (test.failureMessages?.[0] ?? "").split("\n")[0].slice(0, 200);
      failed.push({ file: relative(process.cwd(), file.name), name: test.fullName ?? test.title, message });
    }
  }
  return failed.slice(0, n);
}

/** `N passed, N failed` with `, N skipped` only when some were skipped. */
export function formatCounts({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`;
}

/** The exit code of `npm test` when lint failed and every test passed. */
export const LINT_FAILED = 3;

/**
 * Counts one run from its report and its exit code. A run that exited non-zero without a counted
 * failure (timed out, crashed, unhandled error, no report) counts as one failure, with the reason.
 */
export function countRun(name, reportPath, exitCode) {
  const notes = [];
  let counts = { passed: 0, failed: 0, skipped: 0, failedFiles: [], failedTests: [], slowest: [] };
  if (reportPath === "-") {
    // A step with no tests of its own (build checks): only its exit code counts.
  } else if (existsSync(reportPath)) {
    try {
      const report = JSON.parse(readFileSync(reportPath, "utf8"));
      counts = { ...countReport(report), failedTests: failedTests(report), slowest: slowestFiles(report) };
    } catch (error) {
      notes.push(`report ${reportPath} is unreadable: ${error instanceof Error ? error.message : error}`);
      counts.failed += 1;
    }
  } else {
    notes.push(`no report at ${reportPath}`);
  }
  for (const test of counts.failedTests) {
    notes.push(`FAILED ${test.file} > ${test.name}: ${test.message}`);
  }
  for (const file of counts.failedFiles) {
    const firstLine = file.message.split("\n")[0].slice(0, 160);
    notes.push(`file failed outside any test: ${relative(process.cwd(), file.name)}: ${firstLine}`);
  }
  if (exitCode !== undefined && exitCode !== 0 && counts.failed === 0) {
    const why =
      exitCode === 124 || exitCode === 137
        ? "timed out"
        : exitCode === 125
          ? "was not run (time budget spent)"
          : exitCode === LINT_FAILED
            ? "failed lint (biome check)"
            : `exited with code ${exitCode}`;
    notes.push(`${name} ${why} without a failed test; counted as one failure`);
    counts.failed += 1;
  }
  return { name, ...counts, notes };
}

/** Sums runs; `ok` is false when anything failed or no test passed. */
export function sumRuns(runs) {
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const run of runs) {
    total.passed += run.passed;
    total.failed += run.failed;
    total.skipped += run.skipped;
  }
  return { ...total, ok: total.failed === 0 && total.passed > 0 };
}

function main(argv) {
  const runs = [];
  for (const arg of argv) {
    const m = /^([^=]+)=(.+?)(?::(\d+))?$/.exec(arg);
    if (!m) {
      process.stderr.write(`usage: report.mjs <name>=<report.json>[:<exit code>] ...\n`);
      return 2;
    }
    runs.push(countRun(m[1], m[2], m[3] === undefined ? undefined : Number(m[3])));
  }
  for (const run of runs) {
    for (const note of run.notes) process.stdout.write(`${run.name}: ${note}\n`);
    if (run.slowest.length > 0) {
      const list = run.slowest.map((f) => `${f.seconds.toFixed(1)} s ${f.name}`).join(", ");
      process.stdout.write(`${run.name}: slowest files: ${list}\n`);
    }
    if (runs.length > 1) process.stdout.write(`${run.name}: ${formatCounts(run)}\n`);
  }
  const total = sumRuns(runs);
  if (total.passed === 0) process.stdout.write("no test passed: nothing ran, or everything was skipped\n");
  process.stdout.write(`${formatCounts(total)}\n`);
  return total.ok ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
