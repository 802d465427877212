import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, replayable } from "../src/index.ts";
import { afterBody, localServer } from "./local-server.ts";

const SIZE = 512 * 1024 * 1024;
const CHUNK = 256 * 1024;
const block = Buffer.alloc(CHUNK, 0x5a);

// Generates SIZE bytes lazily: nothing here holds more than one chunk.
function generated(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= SIZE) return void this.push(null);
      sent += CHUNK;
      this.push(block);
    },
  });
}

const expectedSha = (() => {
  const hash = createHash("sha256");
  for (let i = 0; i < SIZE / CHUNK; i++) hash.update(block);
  return hash.digest("hex");
})();

type Server = Awaited<ReturnType<typeof localServer>>;
let server: Server;

beforeAll(async () => {
  server = await localServer((req, res, seen) => {
    if (req.url === "/download") {
      res.writeHead(200, { "content-length": String(SIZE) });
      generated().pipe(res);
      return;
    }
    afterBody(req, () => res.end(JSON.stringify({ bytes: seen.bytes, sha256: seen.sha256 })));
  });
});
afterAll(() => server.close());

// A buffered 512 MiB body would add at least 512 MiB; streaming stays far below.
const BUFFERING_THRESHOLD = 300 * 1024 * 1024;

describe("streaming 512 MiB", () => {
  it("downloads without buffering", async () => {
    const client = createClient();
    const base = process.memoryUsage().rss;
    let peak = base;
    const res = await client.request(`${server.url}/download`);
    const hash = createHash("sha256");
    let bytes = 0;
    for await (const chunk of res.body) {
      bytes += chunk.length;
      hash.update(chunk);
      if (bytes % (64 * CHUNK) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(bytes).toBe(SIZE);
    expect(hash.digest("hex")).toBe(expectedSha);
    expect(peak - base).toBeLessThan(BUFFERING_THRESHOLD);
    await client.close();
  });

  it("uploads a replayable stream without buffering", async () => {
    const client = createClient();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const res = await client.request(`${server.url}/upload`, {
      method: "PUT",
      body: replayable(generated, { length: SIZE }),
    });
    clearInterval(timer);
    expect(await res.json()).toEqual({ bytes: SIZE, sha256: expectedSha });
    expect(peak - base).toBeLessThan(BUFFERING_THRESHOLD);
    await client.close();
  });
});
