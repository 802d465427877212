import type { ConformanceResult } from "./run-conformance.ts";

/** A plain-text report of a run: one line per check, failures with their message. */
export function formatConformanceResult(result: ConformanceResult): string {
  const lines: string[] = [];
  for (const check of result.passed) lines.push(`pass  ${check}`);
  for (const { check, reason } of result.skipped) lines.push(`skip  ${check}: ${reason}`);
  for (const { check, error } of result.failed) {
    const message = error.message.startsWith(`${check}: `)
      ? error.message.slice(check.length + 2)
      : error.message;
    lines.push(`FAIL  ${check}: ${message}`);
  }
  lines.push(
    `${result.passed.length} passed, ${result.failed.length} failed, ${result.skipped.length} skipped`,
  );
  return lines.join("\n");
}
