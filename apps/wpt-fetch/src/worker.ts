// One WPT page in one worker thread: the page's globals, the chosen `fetch`, testharness.js, the
// META scripts, then the test. Results go to the parent as they arrive. Request, Response, Headers,
// FormData and Blob stay Node's own globals in both runs; only `fetch` changes.
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext, runInThisContext } from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import { loopbackLookup, restrictToLoopback } from "./loopback-agent.ts";
import type { WorkerInput, WorkerMessage } from "./worker-protocol.ts";

const input = workerData as WorkerInput;
const post = (message: WorkerMessage): void => parentPort?.postMessage(message);

process.on("uncaughtException", (err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: "uncaught", name: e.name, message: e.message, stack: e.stack ?? "" });
});

const page = new URL(input.page.path + input.page.variant, input.serverUrl);
const g = globalThis as unknown as Record<string | symbol, unknown>;
Object.assign(g, {
  self: globalThis,
  window: globalThis,
  location: page,
  Window: Object.getPrototypeOf(globalThis).constructor,
  // testharness.js asks which kind of global it runs in; this one is none of the browser kinds.
  GLOBAL: { isWindow: () => false, isWorker: () => false, isShadowRealm: () => false },
});
g.Float16Array ??= class Float16Array {};
// What undici's setGlobalOrigin does: relative URLs given to Node's Request and fetch resolve
// against the page, as in a browser.
g[Symbol.for("undici.globalOrigin.1")] = page;
restrictToLoopback();

if (input.impl === "switchyard") {
  const [{ createClient }, { Agent }] = await Promise.all([import("@switchyard/core"), import("undici")]);
  const client = createClient({ dispatcher: new Agent({ connect: { lookup: loopbackLookup } }) });
  const clientFetch = client.fetch;
  // A page's relative URLs resolve against the page, as the browser (or setGlobalOrigin) would; the
  // wrapper keeps client.fetch's own name and length so the IDL checks see client.fetch itself.
  const fetch = function (this: unknown, ...args: unknown[]): Promise<Response> {
    if (typeof args[0] === "string") {
      try {
        args[0] = new URL(args[0], page).href;
      } catch {
        // Not a URL even relative to the page: client.fetch decides what to throw.
      }
    }
    return Reflect.apply(clientFetch, this, args) as Promise<Response>;
  };
  Object.defineProperty(fetch, "name", { value: clientFetch.name });
  Object.defineProperty(fetch, "length", { value: clientFetch.length });
  Object.defineProperty(globalThis, "fetch", {
    value: fetch,
    writable: true,
    configurable: true,
    enumerable: true,
  });
}

runInThisContext(readFileSync(input.harnessPath, "utf8"), { filename: "testharness.js" });
const harness = g as unknown as {
  add_result_callback(cb: (r: { name: string; status: number; message: string | null }) => void): void;
  add_completion_callback(
    cb: (tests: unknown, status: { status: number; message: string | null }) => void,
  ): void;
};
harness.add_result_callback((r) =>
  post({ type: "result", name: r.name, status: r.status, message: r.message ?? "" }),
);
harness.add_completion_callback((_tests, status) =>
  post({ type: "done", status: status.status, message: status.message ?? "" }),
);

for (const script of input.page.scripts) runInThisContext(script);
// A few pages call gc(); a worker cannot get --expose-gc from its parent.
setFlagsFromString("--expose-gc");
g.gc = runInNewContext("gc");
runInThisContext(input.page.code, { filename: input.page.path });
