import { createHash } from "node:crypto";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedBodySha256, generatedBodyStream } from "./generated-body.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

const MiB = 1024 * 1024;

/** Runs `work` while sampling RSS every 10 ms; returns its result and the peak growth over the start. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - start };
  } finally {
    clearInterval(timer);
  }
}

describe("large generated bodies", () => {
  let srv: TestServer;
  let agent: Agent;
  beforeAll(async () => {
    srv = await startTestServer();
    agent = new Agent();
  });
  afterAll(async () => {
    await agent.close();
    await srv.close();
  });

  it("streams 256 MiB down with flat memory and the right sha256", async () => {
    const body = { size: 256 * MiB, seed: "large" };
    const expected = generatedBodySha256(body);
    srv.route("/big", { body });
    const { result, growth } = await peakRssGrowth(async () => {
      const res = await request(`${srv.origin}/big`, { dispatcher: agent });
      const hash = createHash("sha256");
      let bytes = 0;
      for await (const chunk of res.body) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      return { bytes, sha256: hash.digest("hex") };
    });
    expect(result).toEqual({ bytes: body.size, sha256: expected });
    // Client and server share this process. A control run that kept the chunks grew RSS by ~140 MiB
    // past this baseline (which already holds the memory freed by generatedBodySha256).
    expect(growth).toBeLessThan(64 * MiB);
  });

  it("records a 128 MiB upload's size and sha256 without buffering it", async () => {
    const body = { size: 128 * MiB, seed: "upload" };
    const expected = generatedBodySha256(body);
    srv.route("/up", { status: 204 });
    const { growth } = await peakRssGrowth(async () => {
      const res = await request(`${srv.origin}/up`, {
        dispatcher: agent,
        method: "PUT",
        body: generatedBodyStream(body),
      });
      await res.body.dump();
      return res.statusCode;
    });
    const recorded = srv.requests.at(-1);
    expect(recorded).toMatchObject({ bodyBytes: body.size, bodySha256: expected, bodyComplete: true });
    expect(growth).toBeLessThan(64 * MiB);
  });
});
