import { startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ImplName } from "./fetch-impls.ts";
import { runIsolated } from "./isolate.ts";
import type { ScenarioOutcome } from "./openai-scenarios.ts";
import { apiError, completion, streamed } from "./openai-stand-in.ts";
import type { ScenarioInput } from "./scenario-worker.ts";

const PATH = "/v1/chat/completions";
let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.close());
beforeEach(() => srv.reset());

const run = (scenario: ScenarioInput["scenario"], impl: ImplName, more: Partial<ScenarioInput> = {}) =>
  runIsolated<ScenarioOutcome>({ scenario, impl, baseURL: `${srv.origin}/v1`, ...more });

/** The server's view of each attempt: the SDK's retry counter and the credentials it sent. */
const attempts = () =>
  srv.requests.map((r) => ({
    retryCount: r.headers["x-stainless-retry-count"],
    authorization: r.headers.authorization,
  }));

describe("OpenAI SDK (openai 7.60.0) with client.fetch as its fetch", () => {
  describe.each(["node", "client"] as const)("%s", (impl) => {
    it("chat.completions.create returns the parsed completion; the server sees the key and a JSON body", async () => {
      srv.route(PATH, completion("Hello!"));
      expect(await run("chat", impl)).toEqual({ content: "Hello!" });
      expect(attempts()).toEqual([{ retryCount: "0", authorization: "Bearer sk-test-not-a-secret" }]);
      expect(srv.requests[0]?.headers["content-type"]).toBe("application/json");
    });

    it("a streamed (SSE) completion arrives piece by piece", async () => {
      srv.route(PATH, streamed(["Hel", "lo", " world"]));
      expect(await run("stream", impl)).toEqual({ content: "Hello world" });
    });
  });

  // The SDK cancels the body of the 429 before it retries (issue 15, item 1).
  it("node: a 429 with Retry-After is retried by the SDK and the call succeeds", async () => {
    srv.route(PATH, [apiError(429, "slow down"), completion("after the limit")]);
    expect(await run("chat", "node")).toEqual({ content: "after the limit" });
    expect(attempts().map((a) => a.retryCount)).toEqual(["0", "1"]);
  });

  it("client: a 429 with Retry-After is retried by the SDK and the call succeeds, without a crash", async () => {
    srv.route(PATH, [apiError(429, "slow down"), completion("after the limit")]);
    expect(await run("chat", "client")).toEqual({ content: "after the limit" });
    expect(attempts().map((a) => a.retryCount)).toEqual(["0", "1"]);
  });
});
