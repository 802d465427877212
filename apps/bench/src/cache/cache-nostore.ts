// The cache's no-store pass-through alone (issue 17: >= 0.95x the same client without it), with
// client CPU per request: the disk-store cache alone against core alone (core's direct path
// against the chain), against one pass-through middleware (the chain alone), and beside retry
// against retry alone, at 32 B and 64 KiB. Slices paired side by side, alternately first, medians
// of the paired ratios. `node src/cache/cache-nostore.ts [rounds] [requests]` (about a minute).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cache } from "@switchyard/cache";
import { createClient, type Middleware } from "@switchyard/core";
import { retry } from "@switchyard/retry";
import { measure, median } from "../measure.ts";
import { startCacheOrigin } from "./cache-bench.ts";

const rounds = Number(process.argv[2] ?? 6);
const requests = Number(process.argv[3] ?? 2000);
const CONNECTIONS = 16;
const origin = await startCacheOrigin();
const dir = mkdtempSync(join(tmpdir(), "sy-bench-nostore-"));
const pass: Middleware = { name: "pass", stage: "send", handle: (request, next) => next(request) };
const caches = [
  cache({ dir: join(dir, "a") }),
  cache({ dir: join(dir, "b") }),
  cache({ dir: join(dir, "c") }),
];
const client = (middleware: Middleware[]) => createClient({ connections: CONNECTIONS, middleware });
const pairs: Array<
  [name: string, baseline: string, base: ReturnType<typeof client>, own: ReturnType<typeof client>]
> = [
  ["cache", "core", client([]), client([caches[0]!])],
  ["cache", "one pass-through middleware", client([pass]), client([caches[1]!])],
  ["cache beside retry", "retry", client([retry()]), client([caches[2]!, retry()])],
];
const rows: Record<string, string>[] = [];
try {
  for (const size of [32, 65536]) {
    for (const [name, baseline, base, own] of pairs) {
      const call = (c: ReturnType<typeof client>) => async () =>
        void (await (await c.request(`${origin.url}/nostore/${size}`)).arrayBuffer());
      await measure(call(base), 1000, CONNECTIONS);
      await measure(call(own), 1000, CONNECTIONS);
      const ratio: number[] = [];
      const cpu: number[] = [];
      const baseCpu: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const first = r % 2 === 0;
        const a = await measure(call(first ? base : own), requests, CONNECTIONS);
        const b = await measure(call(first ? own : base), requests, CONNECTIONS);
        const [x, y] = first ? [a, b] : [b, a];
        ratio.push(y.requestsPerSecond / x.requestsPerSecond);
        cpu.push(y.cpuMicros);
        baseCpu.push(x.cpuMicros);
      }
      rows.push({
        size: String(size),
        name,
        vs: baseline,
        "x vs": median(ratio).toFixed(3),
        "CPU µs/req": median(cpu).toFixed(1),
        "vs CPU µs/req": median(baseCpu).toFixed(1),
      });
    }
  }
} finally {
  for (const [, , base, own] of pairs) await Promise.all([base.close(), own.close()]);
  for (const c of caches) await c.close();
  await origin.close();
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
