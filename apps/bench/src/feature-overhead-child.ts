// One measurement for feature-overhead.ts, in a fresh process: one client over a fake dispatcher
// (no socket), warmed up, then CPU per call. See feature-overhead.ts for the configurations.
import { cache, memoryStore } from "@switchyard/cache";
import { createClient, type Middleware } from "@switchyard/core";
import { otel } from "@switchyard/otel";
import { retry } from "@switchyard/retry";
import { ssrf } from "@switchyard/ssrf";
import type { Dispatcher } from "undici";
// core-internal (not exported): the router behind proxy: "env", built over the fake dispatcher.
import { buildEnvProxyDispatcher } from "../../../packages/core/src/env-proxy-options.ts";
import { FakeDispatchLevel, fakeDispatcherWith, NO_STORE_HEADERS } from "./fake-answers.ts";

const { config, calls } = JSON.parse(process.argv[2]!) as { config: string; calls: number };
const url = "http://127.0.0.1:8080/nostore/2";
const pass: Middleware = { name: "pass", stage: "send", handle: (request, next) => next(request) };
const closers: Array<() => unknown> = [];
let dispatcher: Dispatcher = fakeDispatcherWith(NO_STORE_HEADERS);
let middleware: Middleware[] = [];
let lookup: ReturnType<typeof ssrf>["lookup"] | undefined;
switch (config) {
  case "core":
    break;
  case "pass":
    middleware = [pass];
    break;
  case "cache":
  case "cache, status header off": {
    const c = cache({
      store: memoryStore(),
      ...(config === "cache" ? {} : { statusHeader: false as const }),
    });
    closers.push(() => c.close());
    middleware = [c];
    break;
  }
  case "retry":
    middleware = [retry()];
    break;
  case "retry + pass":
    middleware = [retry(), pass];
    break;
  case "retry + cache": {
    const c = cache({ store: memoryStore() });
    closers.push(() => c.close());
    middleware = [retry(), c];
    break;
  }
  case "otel elsewhere": {
    const o = otel();
    closers.push(() => o.close());
    break;
  }
  case "otel, no-op providers": {
    const o = otel();
    closers.push(() => o.close());
    middleware = [o];
    break;
  }
  case "ssrf": {
    const guard = ssrf({ allow: ["127.0.0.1"] });
    middleware = [guard];
    lookup = guard.lookup;
    break;
  }
  case "dispatch-level":
    dispatcher = new FakeDispatchLevel(NO_STORE_HEADERS);
    break;
  case "proxy env, origin in NO_PROXY": {
    const direct = new FakeDispatchLevel(NO_STORE_HEADERS);
    dispatcher = buildEnvProxyDispatcher(
      { from: "env", env: { http_proxy: "http://127.0.0.1:9", no_proxy: "127.0.0.1" } },
      direct,
      () => direct,
    );
    break;
  }
  default:
    throw new Error(`unknown config ${config}`);
}
// `lookup` only matters at connect time, which a fake dispatcher never reaches.
void lookup;
const client = createClient({ dispatcher, middleware });
const one = async (): Promise<void> => {
  const res = await client.request(url);
  await res.discard();
};
for (let i = 0; i < Math.min(50_000, calls); i++) await one();
const cpu0 = process.cpuUsage();
for (let i = 0; i < calls; i++) await one();
const cpu = process.cpuUsage(cpu0);
await client.close();
for (const close of closers) await close();
process.send!(((cpu.user + cpu.system) * 1000) / calls);
