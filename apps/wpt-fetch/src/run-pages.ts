import { Worker } from "node:worker_threads";
import type { WptPage } from "./test-files.ts";
import type { FetchImpl, WorkerInput, WorkerMessage } from "./worker-protocol.ts";

/** A subtest's outcome: testharness's status (0 pass, 1 fail, 2 timeout, 3 not run, 4 precondition). */
export interface SubtestResult {
  readonly pass: boolean;
  readonly message: string;
}

/** Everything one page reported under one `fetch`. */
export interface PageResult {
  /** Subtest name -> result; the pseudo-subtests `(page)` record crashes and timeouts. */
  readonly subtests: Map<string, SubtestResult>;
  /** Wall time from the worker's start to its end. */
  readonly ms: number;
}

/** Name of the pseudo-subtest that passes when a page ends on its own without an uncaught exception. */
export const PAGE_SUBTEST = "(page: completes without an uncaught exception)";

const WORKER = new URL("./worker.ts", import.meta.url);

/** Runs one page in a fresh worker; a page that does not finish within `timeoutMs` is cut off. */
export function runPage(input: WorkerInput, timeoutMs: number): Promise<PageResult> {
  const portPattern = `:${new URL(input.serverUrl).port}`;
  const started = performance.now();
  const subtests = new Map<string, SubtestResult>();
  const problems: string[] = [];
  const worker = new Worker(WORKER, { workerData: input, stdout: true, stderr: true });
  // A page's console output is noise unless WPT_VERBOSE asks for it; drained either way so the
  // worker never blocks on a full pipe.
  if (process.env.WPT_VERBOSE) worker.stderr.pipe(process.stderr);
  else worker.stderr.resume();
  worker.stdout.resume();
  return new Promise((resolve) => {
    let finished = false;
    const finish = (problem?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (problem) problems.push(problem);
      subtests.set(PAGE_SUBTEST, { pass: problems.length === 0, message: problems.join("; ") });
      const ms = Math.round(performance.now() - started);
      void worker.terminate().then(() => resolve({ subtests, ms }));
    };
    const timer = setTimeout(() => finish(`cut off after ${timeoutMs} ms`), timeoutMs);
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "result") {
        // Names that embed the server's port differ from run to run; the port becomes {{port}}.
        const base = m.name.replaceAll(portPattern, ":{{port}}");
        // Duplicate names happen in generated subtests; number the later ones.
        let name = base;
        for (let n = 2; subtests.has(name); n++) name = `${base} (#${n})`;
        subtests.set(name, { pass: m.status === 0, message: m.message });
      } else if (m.type === "uncaught") {
        problems.push(`uncaught ${m.name}: ${m.message}`);
      } else {
        finish();
      }
    });
    worker.on("error", (err) => finish(`worker error: ${err.message}`));
    worker.on("exit", (code) => finish(`worker exited (${code}) before the harness finished`));
  });
}

/** Results by implementation, then by page id; pages the time budget left unstarted are listed. */
export interface RunResults {
  readonly byImpl: Map<FetchImpl, Map<string, PageResult>>;
  readonly notReached: readonly string[];
}

/**
 * Runs every page under each implementation, `concurrency` workers at a time, within `budgetMs`:
 * no page starts after it, and a running page is cut off when it ends (WPT's own per-page limits,
 * 20 s, 40 s for `timeout=long`, apply before that). Pages the budget cut short are listed as not
 * reached, without results.
 */
export async function runPages(
  pages: readonly WptPage[],
  impls: readonly FetchImpl[],
  base: Omit<WorkerInput, "impl" | "page">,
  concurrency: number,
  budgetMs: number,
): Promise<RunResults> {
  const byImpl = new Map<FetchImpl, Map<string, PageResult>>(impls.map((impl) => [impl, new Map()]));
  const deadline = performance.now() + budgetMs;
  // Both implementations of a page run side by side, so they meet the server in the same state.
  const jobs = pages.flatMap((page) => impls.map((impl) => ({ page, impl })));
  const notReached: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const { page, impl } = jobs[next++]!;
      const left = deadline - performance.now();
      if (left <= 0) {
        notReached.push(`${impl} ${page.id}`);
        continue;
      }
      // Twice WPT's 10 s: testharness sets no page timeout of its own in a worker, and on a loaded
      // machine a page that needs 3 s alone can take 12 s; a page that hangs still costs only this.
      // The big-*-body pages move 27 MB per subtest: beside the rest of the suite on a 2-core machine
      // they were seen to need more than 40 s, so they get 90 s (the run's budget still bounds them).
      const limit = /\/big-[a-z]+-body\./.test(page.path) ? 90_000 : page.long ? 40_000 : 20_000;
      const result = await runPage({ ...base, impl, page }, Math.min(limit, left));
      // Cut off by the run's budget rather than by the page's own limit: no result, not reached.
      if (left < limit && result.subtests.get(PAGE_SUBTEST)?.message.startsWith("cut off")) {
        notReached.push(`${impl} ${page.id}`);
        continue;
      }
      byImpl.get(impl)!.set(page.id, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
  return { byImpl, notReached };
}
