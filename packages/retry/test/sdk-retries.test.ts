import { createClient, HttpRequest } from "@switchyard/core";
import { fakeClock } from "@switchyard/testkit/clock";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterEach, describe, expect, it } from "vitest";
import { retry } from "../src/retry.ts";
import { isSdkRetried } from "../src/sdk-retries.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function busyThenOk() {
  const s = await startTestServer();
  cleanup.push(() => s.close());
  s.route("/*", [{ status: 503 }, { status: 503 }, { status: 200, body: "ok" }]);
  return s;
}

function clientWith(options: Parameters<typeof retry>[0] = {}) {
  const clock = fakeClock();
  const client = createClient({ middleware: [retry({ now: clock.now, sleep: clock.sleep, ...options })] });
  cleanup.push(() => client.destroy());
  return client;
}

describe("isSdkRetried", () => {
  it.each([
    [{ "x-stainless-retry-count": "0" }, true],
    [{ "x-stainless-retry-count": "2" }, true],
    [{ "amz-sdk-request": "attempt=1; max=3" }, true],
    [{ "amz-sdk-request": "attempt=1;max=1" }, false],
    [{ "amz-sdk-request": "attempt=2" }, true],
    [{ "x-request-id": "abc" }, false],
    [{}, false],
  ])("%j -> %s", (headers, expected) => {
    expect(isSdkRetried(new HttpRequest("http://127.0.0.1/", { headers }))).toBe(expected);
  });
});

describe("retry with SDKs that retry themselves", () => {
  it("sends a Stainless SDK's request once and hands the 503 back (the SDK retries)", async () => {
    const s = await busyThenOk();
    const client = clientWith();
    const res = await client.fetch(`${s.origin}/v1/chat`, { headers: { "x-stainless-retry-count": "0" } });
    expect(res.status).toBe(503);
    expect(s.requests).toHaveLength(1);
  });

  it("defers to the AWS SDK when amz-sdk-request says it retries, not when max=1", async () => {
    const s = await busyThenOk();
    const client = clientWith();
    const deferred = await client.request(`${s.origin}/bucket/key`, {
      headers: { "amz-sdk-request": "attempt=1; max=3" },
    });
    expect(deferred.status).toBe(503);
    await deferred.discard();
    expect(s.requests).toHaveLength(1);
    const retried = await client.request(`${s.origin}/bucket/key`, {
      headers: { "amz-sdk-request": "attempt=1; max=1" },
    });
    expect(retried.status).toBe(200);
    expect(s.requests).toHaveLength(3);
  });

  it('retries them too with sdkRetries: "retry"', async () => {
    const s = await busyThenOk();
    const client = clientWith({ sdkRetries: "retry" });
    const res = await client.fetch(`${s.origin}/v1/chat`, { headers: { "x-stainless-retry-count": "0" } });
    expect(res.status).toBe(200);
    expect(s.requests).toHaveLength(3);
  });

  it("refuses a bad sdkRetries synchronously", () => {
    expect(() => retry({ sdkRetries: "sometimes" as never })).toThrow(/sdkRetries must be/);
  });
});

describe("retry through client.fetch with a Request (as ky and smithy pass one)", () => {
  it("retries a PUT Request answered 503 as it retries a PUT with a string body", async () => {
    for (const body of ["request", "string"] as const) {
      const s = await busyThenOk();
      const client = clientWith();
      const url = `${s.origin}/object`;
      const res =
        body === "request"
          ? await client.fetch(new Request(url, { method: "PUT", body: "payload" }))
          : await client.fetch(url, { method: "PUT", body: "payload" });
      expect(res.status, body).toBe(200);
      expect(s.requests, body).toHaveLength(3);
      expect(
        s.requests.map((r) => r.headers["content-length"]),
        body,
      ).toEqual(["7", "7", "7"]);
    }
  });
});
