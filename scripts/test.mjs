// `npm test`: the Debian packages the tests need, lint (biome), then vitest over every project, ending
// with one line `N passed, N failed[, N skipped]` counted from vitest's JSON report. Exits 1 when a
// test failed or none ran, 3 when only lint failed (so CI can say so), 0 otherwise. Arguments go
// to vitest (`npm test -- packages/core`).
// Run through scripts/bootstrap.mjs, which picks the Node and puts node_modules/.bin on PATH.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTestPackages } from "./apt.mjs";
import { countRun, formatCounts, LINT_FAILED } from "./report.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const reportsDir = join(root, ".reports");

function log(msg) {
  process.stderr.write(`[switchyard] ${msg}\n`);
}

function bin(pkg, relPath) {
  return join(root, "node_modules", pkg, relPath);
}

function run(args) {
  const r = spawnSync(process.execPath, args, { stdio: ["inherit", "inherit", "inherit"], cwd: root });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function main(vitestArgs) {
  const setupMs = Number(process.env.SWITCHYARD_BOOTSTRAP_MS ?? Number.NaN);
  log(`Node ${process.version}${Number.isNaN(setupMs) ? "" : `, set-up ${(setupMs / 1000).toFixed(1)} s`}`);
  if (process.env.SWITCHYARD_TEST_SCOPE)
    log(`SWITCHYARD_TEST_SCOPE=${process.env.SWITCHYARD_TEST_SCOPE}: not every project runs`);
  ensureTestPackages(reportsDir);

  const lintStarted = Date.now();
  const lint = run([bin("@biomejs/biome", "bin/biome"), "check", "--error-on-warnings", "."]);
  log(
    `lint (biome check) ${lint === 0 ? "passed" : "FAILED"} in ${((Date.now() - lintStarted) / 1000).toFixed(1)} s`,
  );

  const report = process.env.SWITCHYARD_REPORT ?? join(reportsDir, "vitest.json");
  const reportPath = isAbsolute(report) ? report : join(root, report);
  mkdirSync(dirname(reportPath), { recursive: true });
  rmSync(reportPath, { force: true }); // a stale report must never be counted
  const vitest = run([
    bin("vitest", "vitest.mjs"),
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${reportPath}`,
    ...vitestArgs,
  ]);

  const counts = countRun("vitest", reportPath, vitest);
  for (const note of counts.notes) log(note);
  if (lint !== 0)
    log("lint failed: run `./scripts/pnpm format` to fix formatting, see biome's messages above");
  if (counts.passed === 0) log("no test passed: nothing ran, or everything was skipped");
  process.stdout.write(`${formatCounts(counts)}\n`);
  const testsOk = vitest === 0 && counts.failed === 0 && counts.passed > 0;
  if (!testsOk) return 1;
  return lint === 0 ? 0 : LINT_FAILED;
}

process.exitCode = main(process.argv.slice(2));
