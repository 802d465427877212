/** One column of the fleet table: a run with per-process state or one shared store. */
export interface FleetRow {
  readonly label: string;
  /** Why the run did not happen (a missing peer). */
  readonly skipped?: string | undefined;
  readonly early?: number;
  readonly inFlight?: number;
  readonly announced?: number;
  readonly tokenExchanges?: number | undefined;
  readonly deadMirrorRequests?: number;
  readonly requests?: number;
  readonly failed?: number;
  readonly pulledOk?: number;
  readonly wallMs?: number;
}

function cell(row: FleetRow, value: string | number | undefined): string {
  if (row.skipped !== undefined) return "n/a";
  return value === undefined ? "n/a" : String(value);
}

/** The side-by-side table `demo fleet` prints. */
export function renderFleetTable(workers: number, rows: readonly FleetRow[], registry: boolean): string {
  const lines: [string, ...string[]][] = [
    ["", ...rows.map((r) => r.label)],
    ["requests before an announced deadline", ...rows.map((r) => cell(r, r.early))],
    ["  (in flight when the 429 left, not counted)", ...rows.map((r) => cell(r, r.inFlight))],
    ["429 rounds announced", ...rows.map((r) => cell(r, r.announced))],
    [
      "token exchanges for the one scope",
      ...rows.map((r) => cell(r, registry ? r.tokenExchanges : undefined)),
    ],
    [
      "requests to the dead mirror after its first failure",
      ...rows.map((r) => cell(r, r.deadMirrorRequests)),
    ],
    [
      "requests sent / failed",
      ...rows.map((r) => cell(r, r.requests === undefined ? undefined : `${r.requests} / ${r.failed}`)),
    ],
    [
      "wall time",
      ...rows.map((r) => cell(r, r.wallMs === undefined ? undefined : `${(r.wallMs / 1000).toFixed(1)} s`)),
    ],
  ];
  const header = lines[0] as [string, ...string[]];
  const widths = header.map((_, i) => Math.max(...lines.map((line) => (line[i] ?? "").length)));
  const text = lines
    .map((line) =>
      line
        .map((value, i) => (i === 0 ? value.padEnd(widths[0] ?? 0) : value.padStart((widths[i] ?? 0) + 2)))
        .join(""),
    )
    .join("\n");
  const notes = rows.filter((r) => r.skipped !== undefined).map((r) => `${r.label}: not run (${r.skipped})`);
  if (!registry) notes.push("token exchanges: not measured (docker-registry is not installed)");
  return `${workers} workers, each: one client with retry-after, mirror and oci\n\n${text}\n${notes.map((n) => `\n${n}`).join("")}\n`;
}
