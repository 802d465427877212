import { gzipSync } from "node:zlib";
import { startTestServer, type TestServer } from "@switchyard/testkit/servers";
import ky from "ky";
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

/** ky as an app sets it up: our fetch, two quick retries (no real backoff waits). */
function kyWith(name: "node" | "client") {
  impl = makeFetch(name);
  return ky.create({ fetch: impl.fetch, retry: { limit: 2, delay: () => 0 } });
}

const answer = { ok: true, items: [1, 2, 3] };
const json = { headers: { "content-type": "application/json" }, body: JSON.stringify(answer) };
const gzipped = {
  headers: { "content-type": "application/json", "content-encoding": "gzip" },
  body: new Uint8Array(gzipSync(JSON.stringify(answer))),
};

describe("ky 2.1.0 with client.fetch as its fetch", () => {
  it("node: a dropped connection is a network error ky retries; the second attempt answers", async () => {
    srv.route("/flaky", [{ closeBeforeHeaders: true }, json]);
    expect(await kyWith("node").get(`${srv.origin}/flaky`).json()).toEqual(answer);
    expect(srv.requests).toHaveLength(2);
  });

  // ky retries only a TypeError whose message is a known network-error text ("fetch failed" on
  // Node); client.fetch used to reject with SocketError, so ky gave up at once (issue 15, item 3).
  it("client: a dropped connection is a network error ky retries; the second attempt answers", async () => {
    srv.route("/flaky", [{ closeBeforeHeaders: true }, json]);
    expect(await kyWith("client").get(`${srv.origin}/flaky`).json()).toEqual(answer);
    expect(srv.requests).toHaveLength(2);
  });

  it("node: .json() on a gzip-encoded answer parses the decoded JSON", async () => {
    srv.route("/gz", gzipped);
    expect(await kyWith("node").get(`${srv.origin}/gz`).json()).toEqual(answer);
  });

  // client.fetch used to hand back the gzip bytes undecoded, so JSON.parse failed (issue 15, item 2).
  it("client: .json() on a gzip-encoded answer parses the decoded JSON", async () => {
    srv.route("/gz", gzipped);
    expect(await kyWith("client").get(`${srv.origin}/gz`).json()).toEqual(answer);
  });

  it.each(["node", "client"] as const)(
    "%s: a POST with a JSON body reaches the server as sent",
    async (name) => {
      srv.route("/items", { status: 201, ...json });
      const res = await kyWith(name).post(`${srv.origin}/items`, { json: { name: "x" } });
      expect(res.status).toBe(201);
      expect(srv.requests[0]?.method).toBe("POST");
      expect(srv.requests[0]?.headers["content-type"]).toBe("application/json");
    },
  );
});
