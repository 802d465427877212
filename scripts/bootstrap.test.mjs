import { describe, expect, it } from "vitest";
import { NODE_FLOOR, NODE_LTS, pickNodeVersion, versionAtLeast } from "./bootstrap.mjs";
import { countReport, countRun, formatCounts, LINT_FAILED, slowestFiles, sumRuns } from "./report.mjs";

describe("versionAtLeast", () => {
  it.each([
    ["v22.19.0", "22.19.0", true],
    ["v22.18.9", "22.19.0", false],
    ["v22.20.0", "22.19.0", true],
    ["v20.20.2", "22.19.0", false],
    ["v24.0.0", "22.19.0", true],
    ["22.9.0", "22.19.0", false], // numeric, not lexicographic
    ["v26.10.0", "26.9.1", true],
  ])("%s >= %s is %s", (version, floor, expected) => {
    expect(versionAtLeast(version, floor)).toBe(expected);
  });

  it("rejects what is not a version", () => {
    expect(() => versionAtLeast("latest", "22.19.0")).toThrow(/not a Node version/);
  });
});

describe("pickNodeVersion", () => {
  it("uses the system Node when it is at least the floor", () => {
    expect(pickNodeVersion(undefined, "v22.19.0")).toBeUndefined();
    expect(pickNodeVersion(undefined, "v24.1.0")).toBeUndefined();
  });

  it("bootstraps the LTS when the system Node is older than the floor", () => {
    expect(pickNodeVersion(undefined, "v20.20.2")).toBe(NODE_LTS);
  });

  it("resolves the lts and floor aliases and exact versions", () => {
    expect(pickNodeVersion("lts", "v20.20.2")).toBe(NODE_LTS);
    expect(pickNodeVersion("floor", "v20.20.2")).toBe(NODE_FLOOR);
    expect(pickNodeVersion("v24.21.0", "v20.20.2")).toBe("24.21.0");
  });

  it("uses the system Node when it is exactly the one asked for", () => {
    expect(pickNodeVersion("floor", `v${NODE_FLOOR}`)).toBeUndefined();
  });

  it("refuses a Node older than the floor", () => {
    expect(() => pickNodeVersion("20.20.2", "v20.20.2")).toThrow(/older than the floor/);
  });

  it("pins an LTS that meets the floor", () => {
    expect(versionAtLeast(NODE_LTS, NODE_FLOOR)).toBe(true);
  });
});

const file = (status, ...assertions) => ({
  name: "/repo/x.test.ts",
  status,
  message: status === "failed" && assertions.length === 0 ? "Cannot find module './y.ts'" : "",
  assertionResults: assertions.map((s) => ({ status: s })),
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
