// Worker entry of runIsolated: runs one scenario of openai-scenarios.ts and posts its outcome.
import { parentPort, workerData } from "node:worker_threads";
import type { ImplName } from "./fetch-impls.ts";
import { scenarios } from "./openai-scenarios.ts";

/** What runIsolated hands the worker. */
export interface ScenarioInput {
  readonly scenario: keyof typeof scenarios;
  readonly impl: ImplName;
  readonly baseURL: string;
  /** Retries the SDK makes itself. */
  readonly sdkRetries?: number;
  /** Retries the plugin makes (impl client+retry). */
  readonly pluginRetries?: number;
}

const input = workerData as ScenarioInput;
// Lets work the scenario left behind (a body cancelled without waiting, say) run and fail loudly
// before the outcome is reported: a crash after the SDK's answer still kills a real process.
const settle = () => new Promise((resolve) => setTimeout(resolve, 25));
try {
  const value = await scenarios[input.scenario](input);
  await settle();
  parentPort?.postMessage({ ok: true, value });
} catch (err) {
  const e = err as Error;
  parentPort?.postMessage({ ok: false, error: `${e.name}: ${e.message}` });
}
