import { startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { createFetch, FetchError } from "ofetch";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FetchImpl, makeFetch } from "./fetch-impls.ts";

let srv: TestServer;
let impl: FetchImpl | undefined;

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.close());
beforeEach(() => srv.reset());
afterEach(() => impl?.close());

function ofetch(name: "node" | "client") {
  impl = makeFetch(name);
  return createFetch({
    fetch: impl.fetch,
    Headers: globalThis.Headers,
    AbortController: globalThis.AbortController,
  });
}

describe("ofetch 1.5.1 with client.fetch as its fetch", () => {
  describe.each(["node", "client"] as const)("%s", (name) => {
    it("a JSON call returns the parsed body and sends the query", async () => {
      srv.route("/api/user", {
        headers: { "content-type": "application/json" },
        body: '{"id":7,"name":"ada"}',
      });
      expect(await ofetch(name)("/api/user", { baseURL: srv.origin, query: { full: 1 } })).toEqual({
        id: 7,
        name: "ada",
      });
      expect(srv.requests[0]?.url).toBe("/api/user?full=1");
    });

    it("an error status throws FetchError with the status and the parsed error body", async () => {
      srv.route("/api/missing", {
        status: 404,
        headers: { "content-type": "application/json" },
        body: '{"error":"not found"}',
      });
      const err = await ofetch(name)(`${srv.origin}/api/missing`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FetchError);
      expect(err).toMatchObject({ statusCode: 404, data: { error: "not found" } });
      expect(srv.requests).toHaveLength(1);
    });
  });
});
