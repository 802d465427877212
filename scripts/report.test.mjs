import { describe, expect, it } from "vitest";
import {
  countReport,
  countRun,
  failedTests,
  formatCounts,
  LINT_FAILED,
  slowestFiles,
  sumRuns,
} from "./report.mjs";

const file = (status, ...assertions) => ({
  name: "/repo/x.test.ts",
  status,
  message: status === "failed" && assertions.length === 0 ? "Cannot find module './y.ts'" : "",
  assertionResults: assertions.map((s) => ({ status: s, fullName: `x ${s}`, failureMessages: [] })),
});

describe("countReport", () => {
  it("counts passed, failed and skipped (pending + todo) tests", () => {
    const report = {
      numPassedTests: 3,
      numFailedTests: 1,
      numPendingTests: 1,
      numTodoTests: 1,
      testResults: [
        file("passed", "passed", "passed", "passed"),
        file("failed", "failed", "skipped", "todo"),
      ],
    };
    expect(countReport(report)).toMatchObject({ passed: 3, failed: 1, skipped: 2 });
  });

  it("counts a file that failed to load as one failure", () => {
    const report = {
      numPassedTests: 1,
      numFailedTests: 0,
      testResults: [file("passed", "passed"), file("failed")],
    };
    const counts = countReport(report);
    expect(counts).toMatchObject({ passed: 1, failed: 1, skipped: 0 });
    expect(counts.failedFiles[0].message).toMatch(/Cannot find module/);
  });
});

describe("countRun", () => {
  it("counts a run that exited non-zero without a report as one failure", () => {
    const run = countRun("floor", "/nonexistent/report.json", 124);
    expect(run).toMatchObject({ passed: 0, failed: 1 });
    expect(run.notes.join("\n")).toMatch(/timed out/);
  });

  it("says when a run failed only its lint", () => {
    const run = countRun("floor", "/nonexistent/report.json", LINT_FAILED);
    expect(run.failed).toBe(1);
    expect(run.notes.join("\n")).toMatch(/failed lint/);
  });

  it("counts a step without a report by its exit code only", () => {
    expect(countRun("build", "-", 0)).toMatchObject({ passed: 0, failed: 0, notes: [] });
    expect(countRun("build", "-", 1)).toMatchObject({ failed: 1 });
  });
});

describe("formatCounts and sumRuns", () => {
  it("mentions skipped tests only when there are some", () => {
    expect(formatCounts({ passed: 5, failed: 0, skipped: 0 })).toBe("5 passed, 0 failed");
    expect(formatCounts({ passed: 5, failed: 1, skipped: 2 })).toBe("5 passed, 1 failed, 2 skipped");
  });

  it("is not ok when nothing passed, even with nothing failed", () => {
    expect(sumRuns([{ passed: 0, failed: 0, skipped: 3 }]).ok).toBe(false);
    expect(
      sumRuns([
        { passed: 2, failed: 0, skipped: 0 },
        { passed: 1, failed: 0, skipped: 1 },
      ]),
    ).toEqual({
      passed: 3,
      failed: 0,
      skipped: 1,
      ok: true,
    });
  });
});

describe("slowestFiles", () => {
  it("lists the slowest test files first", () => {
    const report = {
      testResults: [
        { name: `${process.cwd()}/a.test.ts`, startTime: 0, endTime: 1500 },
        { name: `${process.cwd()}/b.test.ts`, startTime: 0, endTime: 9000 },
        { name: `${process.cwd()}/c.test.ts`, startTime: 10, endTime: 20 },
      ],
    };
    expect(slowestFiles(report, 2)).toEqual([
      { name: "b.test.ts", seconds: 9 },
      { name: "a.test.ts", seconds: 1.5 },
    ]);
  });
});

describe("failedTests", () => {
  it("names each failed test with its file and the first line of its failure", () => {
    const report = {
      testResults: [
        file("passed", "passed"),
        {
          name: `${process.cwd()}/apps/a.test.ts`,
          status: "failed",
          assertionResults: [
            { status: "passed", fullName: "a works", failureMessages: [] },
            {
              status: "failed",
              fullName: "a settles in time",
              failureMessages: ["AssertionError: expected 3 to be 2\n    at a.test.ts:10:5"],
            },
          ],
        },
      ],
    };
    expect(failedTests(report)).toEqual([
      { file: "apps/a.test.ts", name: "a settles in time", message: "AssertionError: expected 3 to be 2" },
    ]);
  });

  it("keeps the list and each message short", () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      status: "failed",
      fullName: `t${i}`,
      failureMessages: ["x".repeat(1000)],
    }));
    const failed = failedTests({
      testResults: [{ name: "/f.test.ts", status: "failed", assertionResults: many }],
    });
    expect(failed).toHaveLength(20);
    expect(failed[0].message.length).toBeLessThanOrEqual(200);
  });
});
