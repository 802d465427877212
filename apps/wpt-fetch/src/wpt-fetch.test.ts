import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { WptReport } from "./report.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

/**
 * Runs the runner as its own process (it starts undici's WPT server and ~130 worker threads) within
 * a 150 s budget (a run takes about 60 s on a quiet machine, more beside the rest of the suite),
 * so that the whole test stays under 170 s; the process is killed if the test ends first.
 */
function runWpt(signal: AbortSignal): Promise<{ report: WptReport; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-wpt-"));
  const reportPath = join(dir, "report.json");
  const child = spawn(process.execPath, [MAIN, "--report", reportPath], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WPT_BUDGET_MS: process.env.WPT_BUDGET_MS ?? "150000" },
    signal,
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (output += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (output += s));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", () => {
      try {
        resolve({ report: JSON.parse(readFileSync(reportPath, "utf8")) as WptReport, output });
      } catch {
        reject(new Error(`the WPT runner wrote no report:\n${output}`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe("WPT fetch subset: client.fetch against Node's fetch", () => {
  it("passes every subtest Node's fetch passes, except those expectations.json explains", async (ctx) => {
    const { report, output } = await runWpt(ctx.signal);
    // No undici checkout on this machine: say so, and count the check as skipped, never as passed.
    if (report.verdict === "skipped") return ctx.skip(`WPT fetch not run: ${report.reason}`);
    if (report.verdict !== "pass") console.log(output);
    // Too slow a machine to finish in time, with nothing wrong in what did run: not a pass either.
    if (report.verdict === "incomplete") {
      return ctx.skip(`WPT fetch incomplete: ${report.notReached.length} page runs did not fit the budget`);
    }
    expect(report.problems).toEqual([]);
    expect(report.node.passed).toBeGreaterThan(300);
  }, 170_000);
});
