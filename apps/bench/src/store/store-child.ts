// retry-after's deadline store under a million distinct targets, in a fresh process with --expose-gc.
// Drives the real middleware: every request is to a new origin and answers 429 + Retry-After.
import { Context, HttpRequest, HttpResponse, type Next } from "@switchyard/core";
import { retryAfter } from "@switchyard/retry-after";
import type { StoreResult } from "./store-bench.ts";

const { targets, capacity, checkpoints } = JSON.parse(process.argv[2] ?? "{}") as {
  targets: number;
  capacity: number;
  checkpoints: number[];
};

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const middleware = retryAfter({ capacity, maxWait: 120_000 });
const answer = (request: HttpRequest) =>
  new HttpResponse({ status: 429, headers: { "retry-after": "60" }, url: request.url, request, body: null });
const next: Next = (request) => Promise.resolve(answer(request));

const samples: { targets: number; size: number; heapUsed: number }[] = [];
const before = heapAfterGc();
const started = performance.now();
let done = 0;
for (const checkpoint of checkpoints) {
  for (; done < checkpoint; done++) {
    const request = new HttpRequest(`http://t${done}.bench.invalid/`);
    await middleware.handle(request, next, new Context());
  }
  samples.push({ targets: done, size: middleware.store.size, heapUsed: heapAfterGc() });
}
const ms = performance.now() - started;
const result: StoreResult = { capacity, targets, before, samples, nsPerRequest: (ms * 1e6) / targets };
process.send?.(result, () => process.exit(0));
