import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { HttpRequest } from "@smithy/protocol-http";
import { startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FetchImpl, type ImplName, makeFetch } from "./fetch-impls.ts";

let srv: TestServer;
let impl: FetchImpl | undefined;

beforeAll(async () => {
  srv = await startTestServer({ keepBodies: true });
});
afterAll(() => srv.close());
beforeEach(() => srv.reset());
afterEach(() => impl?.close());

const BODY = "hello from smithy";

/** A PUT through FetchHttpHandler; `customFetch` is its documented seam, and it always passes a Request. */
async function put(name: ImplName): Promise<number> {
  impl = makeFetch(name);
  const handler = new FetchHttpHandler({ customFetch: impl.fetch });
  const request = new HttpRequest({
    protocol: "http:",
    hostname: "127.0.0.1",
    port: srv.port,
    method: "PUT",
    path: "/bucket/key.txt",
    headers: { "content-type": "text/plain" },
    body: BODY,
  });
  const { response } = await handler.handle(request);
  await (response.body as ReadableStream | undefined)?.cancel();
  return response.statusCode;
}

const seen = () =>
  srv.requests.map((r) => ({
    method: r.method,
    body: r.body?.toString(),
    contentLength: r.headers["content-length"],
    chunked: r.headers["transfer-encoding"] === "chunked",
  }));
const sent = { method: "PUT", body: BODY, contentLength: String(BODY.length), chunked: false };

describe("@smithy/fetch-http-handler 5.8.1 with client.fetch as its customFetch", () => {
  it("node: a PUT Request with a body arrives with its Content-Length", async () => {
    srv.route("/bucket/key.txt", { status: 200 });
    expect(await put("node")).toBe(200);
    expect(seen()).toEqual([sent]);
  });

  // A Request's body reaches client.fetch as a stream of unknown length; it used to be sent chunked
  // (issue 15, item 4: "Request objects lose Content-Length").
  it("client: a PUT Request with a body arrives with its Content-Length", async () => {
    srv.route("/bucket/key.txt", { status: 200 });
    expect(await put("client")).toBe(200);
    expect(seen()).toEqual([sent]);
  });

  it("node: smithy's handler does not retry by itself (retries live in the SDK's stack): one 503", async () => {
    srv.route("/bucket/key.txt", [{ status: 503 }, { status: 200 }]);
    expect(await put("node")).toBe(503);
    expect(srv.requests).toHaveLength(1);
  });

  // The retry plugin must resend the PUT although the Request's body reaches client.fetch as a stream;
  // it used to come back unretried (issue 15, item 4: "a PUT Request answered 503 is silently not retried").
  it("client+retry: a PUT Request answered 503 is retried with its body and succeeds", async () => {
    srv.route("/bucket/key.txt", [{ status: 503 }, { status: 200 }]);
    expect(await put("client+retry")).toBe(200);
    expect(seen()).toEqual([sent, sent]);
  });
});
