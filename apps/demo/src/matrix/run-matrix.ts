import { type Client, createClient, STAGES } from "@switchyard/core";
import type { DemoPeers } from "../peers/demo-peers.ts";
import type { PluginFactories } from "./matrix-plugins.ts";
import { type CellInfo, describeOutcome, type Outcome, SCENARIOS, type Scenario } from "./scenarios.ts";
import { allSubsets, hasPlugin, type Subset, type SubsetPlan } from "./subsets.ts";

/** How a cell ended. */
export type Verdict = "pass" | "expected" | "unexpected";

/** One cell: a subset (row) against a scenario (column). */
export interface CellResult {
  readonly row: number;
  readonly scenario: Scenario;
  readonly verdict: Verdict;
  /** What happened, in words (the outcome, or why it was unexpected). */
  readonly detail: string;
  readonly ms: number;
}

/** The whole matrix. */
export interface MatrixResult {
  readonly seed: number;
  readonly subsets: readonly Subset[];
  readonly scenarios: readonly Scenario[];
  /** `cells[row][column]`. */
  readonly cells: readonly (readonly CellResult[])[];
  readonly passed: number;
  readonly expected: number;
  readonly unexpected: number;
  readonly ms: number;
  readonly concurrency: number;
}

/** Options of {@link runMatrix}. */
export interface RunMatrixOptions {
  readonly seed: number;
  readonly peers: DemoPeers;
  readonly plugins: PluginFactories;
  /** Cells run at once. @default 24 */
  readonly concurrency?: number;
  /** `"design"`: 128 of the 1024 subsets (a balanced design); `"full"`: all of them. @default "design" */
  readonly plan?: SubsetPlan;
  /** Only these scenario ids (all by default). */
  readonly scenarios?: readonly string[];
  /** Longest a cell may take before it counts as unexpected. @default 20000 */
  readonly cellTimeoutMs?: number;
  /** Called as each cell finishes (progress). */
  readonly onCell?: (cell: CellResult, done: number, total: number) => void;
}

const SLOW_SCENARIOS = new Set(["429", "quota", "slow", "down"]);

const STAGE_RANK = new Map(STAGES.map((stage, i) => [stage, i]));

/** Why the client's chain is not in stage order, or `undefined` when it is. */
function chainOrderProblem(client: Client): string | undefined {
  const stages = client.middleware.map((m) => m.stage);
  for (let i = 1; i < stages.length; i++) {
    if (STAGE_RANK.get(stages[i]!)! < STAGE_RANK.get(stages[i - 1]!)!) {
      return `chain not in stage order: ${client.middleware.map((m) => `${m.name}(${m.stage})`).join(" > ")}`;
    }
  }
  return undefined;
}

function judge(scenario: Scenario, present: boolean, outcome: Outcome, cell: CellInfo, peers: DemoPeers) {
  if (present) {
    return outcome.kind === "ok"
      ? { verdict: "pass" as const, detail: describeOutcome(outcome) }
      : {
          verdict: "unexpected" as const,
          detail: `${scenario.needs} is present, but: ${describeOutcome(outcome)}`,
        };
  }
  const mismatch = scenario.checkExpectedFailure(outcome, cell, peers);
  return mismatch === undefined
    ? { verdict: "expected" as const, detail: describeOutcome(outcome) }
    : { verdict: "unexpected" as const, detail: `without ${scenario.needs}: ${mismatch}` };
}

async function runCell(
  row: number,
  subset: Subset,
  scenario: Scenario,
  options: RunMatrixOptions,
): Promise<CellResult> {
  const started = performance.now();
  const cell: CellInfo = { tag: `r${String(row).padStart(3, "0")}` };
  let client: Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    client = createClient({
      middleware: subset.listed.map((name) => options.plugins[name]()),
      timeout: 15_000,
      connectTimeout: 2_000,
    });
    const order = chainOrderProblem(client);
    const timeoutMs = options.cellTimeoutMs ?? 20_000;
    const outcome = await Promise.race([
      scenario.run(client, cell, options.peers),
      new Promise<Outcome>((resolve) => {
        timer = setTimeout(
          () => resolve({ kind: "error", error: new Error(`the cell took longer than ${timeoutMs} ms`) }),
          timeoutMs,
        );
      }),
    ]);
    const present = [scenario.needs, ...(scenario.alsoServedBy ?? [])].some((name) =>
      hasPlugin(subset, name),
    );
    const judged = judge(scenario, present, outcome, cell, options.peers);
    const result = order ? { verdict: "unexpected" as const, detail: order } : judged;
    return { row, scenario, ...result, ms: performance.now() - started };
  } catch (error) {
    // createClient or a factory threw: the subset does not even assemble.
    const detail = `the client could not be built: ${describeOutcome({ kind: "error", error })}`;
    return { row, scenario, verdict: "unexpected", detail, ms: performance.now() - started };
  } finally {
    if (timer) clearTimeout(timer);
    await client?.destroy();
  }
}

/**
 * Runs the subsets of the plan (each listed in a seeded random order) against every
 * scenario, `concurrency` cells at a time, sharing the peers. Cells of a row are spread out so that
 * the slow ones (retry-after's real one-second wait) overlap.
 */
export async function runMatrix(options: RunMatrixOptions): Promise<MatrixResult> {
  const started = performance.now();
  const subsets = allSubsets(options.seed, options.plan);
  const scenarios = options.scenarios
    ? SCENARIOS.filter((s) => options.scenarios!.includes(s.id))
    : [...SCENARIOS];
  const jobs: { row: number; column: number }[] = [];
  for (let column = 0; column < scenarios.length; column++) {
    for (let row = 0; row < subsets.length; row++) jobs.push({ row, column });
  }
  // Slow cells first (the retry-after and quota waits, the slow host), so they overlap with the rest.
  const slow = (job: { column: number }) => Number(SLOW_SCENARIOS.has(scenarios[job.column]!.id));
  jobs.sort((a, b) => slow(b) - slow(a));
  const cells: CellResult[][] = subsets.map(() => new Array<CellResult>(scenarios.length));
  const concurrency = options.concurrency ?? 24;
  let next = 0;
  let done = 0;
  async function worker(): Promise<void> {
    for (;;) {
      const job = jobs[next++];
      if (!job) return;
      const result = await runCell(job.row, subsets[job.row]!, scenarios[job.column]!, options);
      cells[job.row]![job.column] = result;
      done++;
      options.onCell?.(result, done, jobs.length);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  const flat = cells.flat();
  return {
    seed: options.seed,
    subsets,
    scenarios,
    cells,
    passed: flat.filter((c) => c.verdict === "pass").length,
    expected: flat.filter((c) => c.verdict === "expected").length,
    unexpected: flat.filter((c) => c.verdict === "unexpected").length,
    ms: performance.now() - started,
    concurrency,
  };
}
