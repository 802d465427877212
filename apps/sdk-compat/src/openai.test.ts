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

  it("node: a 429 with Retry-After is retried by the SDK and the call succeeds", async () => {
    srv.route(PATH, [apiError(429, "slow down"), completion("after the limit")]);
    expect(await run("chat", "node")).toEqual({ content: "after the limit" });
    expect(attempts().map((a) => a.retryCount)).toEqual(["0", "1"]);
  });

  // The SDK cancels the body of the 429 before it retries (issue 15, item 1: that cancel used to
  // throw an uncaught ERR_INVALID_STATE on Node 22 and kill the process).
  it("client: a 429 with Retry-After is retried by the SDK and the call succeeds, without a crash", async () => {
    srv.route(PATH, [apiError(429, "slow down"), completion("after the limit")]);
    expect(await run("chat", "client")).toEqual({ content: "after the limit" });
    expect(attempts().map((a) => a.retryCount)).toEqual(["0", "1"]);
  });

  describe("with the retry plugin on the client (issue 15, item 7: two retry layers)", () => {
    // models.retrieve is a GET: the retry plugin leaves POSTs alone by default.
    const MODEL = "/v1/models/gpt-test";

    it("node: the SDK alone makes 1 + 2 attempts on a persistent 503", async () => {
      srv.route(MODEL, apiError(503, "unavailable"));
      expect(await run("model", "node")).toEqual({ status: 503 });
      expect(attempts().map((a) => a.retryCount)).toEqual(["0", "1", "2"]);
    });

    // Issue 15, item 7: the plugin sees the SDK's x-stainless-retry-count and leaves retrying to it.
    it("client+retry: the plugin defers to the SDK's own retries, 3 requests instead of 3 x 3", async () => {
      srv.route(MODEL, apiError(503, "unavailable"));
      expect(await run("model", "client+retry", { pluginRetries: 2 })).toEqual({ status: 503 });
      expect(attempts().map((a) => a.retryCount)).toEqual(["0", "1", "2"]);
    });

    it('client+retry with sdkRetries: "retry" makes both layers retry: 3 SDK attempts x 3 plugin attempts', async () => {
      srv.route(MODEL, apiError(503, "unavailable"));
      expect(await run("model", "client+retry-all", { pluginRetries: 2 })).toEqual({ status: 503 });
      expect(attempts().map((a) => a.retryCount)).toEqual(["0", "0", "0", "1", "1", "1", "2", "2", "2"]);
    });

    it('client+retry with sdkRetries: "retry" and the SDK\'s maxRetries: 0 leaves the retrying to the plugin: 3 requests', async () => {
      srv.route(MODEL, apiError(503, "unavailable"));
      expect(await run("model", "client+retry-all", { pluginRetries: 2, sdkRetries: 0 })).toEqual({
        status: 503,
      });
      expect(attempts().map((a) => a.retryCount)).toEqual(["0", "0", "0"]);
    });
  });
});
