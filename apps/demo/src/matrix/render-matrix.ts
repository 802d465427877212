import type { CellResult, MatrixResult, Verdict } from "./run-matrix.ts";

/** Cell symbols: passed, failed as expected (plugin missing), unexpected. */
export const SYMBOLS: Readonly<Record<Verdict, string>> = Object.freeze({
  pass: "✓",
  expected: "✗",
  unexpected: "!",
});

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function center(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return pad(" ".repeat(Math.max(0, left)) + text, width);
}

/** The matrix as text lines: a header, one row per subset, one column per scenario. */
export function renderMatrix(result: MatrixResult): string[] {
  const widths = result.scenarios.map((s) => Math.max(s.column.length, 1));
  const lines: string[] = [];
  lines.push(
    `  ${SYMBOLS.pass} passed   ${SYMBOLS.expected} failed as expected (plugin missing)   ${SYMBOLS.unexpected} unexpected`,
  );
  lines.push("");
  lines.push(
    `  row  ${result.scenarios.map((s, i) => pad(s.column, widths[i]!)).join(" ")}  plugins, in the order listed`,
  );
  result.subsets.forEach((subset, row) => {
    const marks = result.cells[row]!.map((cell, i) => center(SYMBOLS[cell.verdict], widths[i]!)).join(" ");
    const listed = subset.listed.length === 0 ? "(core only)" : subset.listed.join(" ");
    lines.push(`  ${String(row).padStart(3)}  ${marks}  ${listed}`);
  });
  return lines;
}

/** One line per unexpected cell, naming the row's plugins and what went wrong. */
export function renderUnexpected(result: MatrixResult): string[] {
  const lines: string[] = [];
  for (const cell of result.cells.flat()) {
    if (cell.verdict !== "unexpected") continue;
    const listed = result.subsets[cell.row]!.listed.join(",") || "core only";
    lines.push(`  ! row ${cell.row} [${listed}] ${cell.scenario.title}: ${cell.detail}`);
  }
  return lines;
}

/** For each scenario, the failure a client without its plugin sees (the first such cell). */
export function renderExpectedFailures(result: MatrixResult): string[] {
  const lines: string[] = [];
  result.scenarios.forEach((scenario, column) => {
    const cell: CellResult | undefined = result.cells
      .map((row) => row[column]!)
      .find((c) => c.verdict === "expected");
    const needs = [scenario.needs, ...(scenario.alsoServedBy ?? [])].join(" or ");
    if (cell) lines.push(`  ${pad(scenario.title, 40)} without ${needs}: ${cell.detail}`);
  });
  return lines;
}

/** The closing summary line. */
export function renderSummary(result: MatrixResult): string {
  const total = result.passed + result.expected + result.unexpected;
  const seconds = (result.ms / 1000).toFixed(1);
  return `${total} cells: ${result.passed} passed, ${result.expected} failed as expected, ${result.unexpected} unexpected in ${seconds} s (${result.concurrency} at a time)`;
}
