// OpenAI SDK calls, run in a worker by runIsolated (see isolate.ts) so that a crash shows as a
// failed test instead of killing the test runner.
import OpenAI, { APIError } from "openai";
import { makeFetch } from "./fetch-impls.ts";
import type { ScenarioInput } from "./scenario-worker.ts";

/** What a scenario reports: the answer's text, or the status of the error the SDK threw. */
export interface ScenarioOutcome {
  readonly content?: string | null;
  readonly status?: number;
}

async function withSdk(input: ScenarioInput, call: (sdk: OpenAI) => Promise<ScenarioOutcome>) {
  const impl = makeFetch(input.impl, input.pluginRetries);
  const sdk = new OpenAI({
    apiKey: "sk-test-not-a-secret",
    baseURL: input.baseURL,
    fetch: impl.fetch,
    maxRetries: input.sdkRetries ?? 2,
  });
  try {
    return await call(sdk);
  } catch (err) {
    if (err instanceof APIError && err.status !== undefined) return { status: err.status };
    throw err;
  } finally {
    await impl.close();
  }
}

const chat = (input: ScenarioInput) =>
  withSdk(input, async (sdk) => {
    const completion = await sdk.chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "Say hello" }],
    });
    return { content: completion.choices[0]?.message.content ?? null };
  });

const stream = (input: ScenarioInput) =>
  withSdk(input, async (sdk) => {
    const chunks = await sdk.chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "Count" }],
      stream: true,
    });
    let content = "";
    for await (const chunk of chunks) content += chunk.choices[0]?.delta.content ?? "";
    return { content };
  });

// A GET (models.retrieve): the retry plugin retries idempotent methods only, by default.
const model = (input: ScenarioInput) =>
  withSdk(input, async (sdk) => ({ content: (await sdk.models.retrieve("gpt-test")).id }));

/** The scenarios a test can ask runIsolated for. */
export const scenarios: Record<
  "chat" | "stream" | "model",
  (input: ScenarioInput) => Promise<ScenarioOutcome>
> = { chat, stream, model };
