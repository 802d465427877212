import { existsSync } from "node:fs";
import { isPortOpen, pidExists } from "@switchyard/testkit/process";
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { requirePeer } from "../peer-availability.ts";
import { type NginxPeer, startNginx } from "./start-nginx.ts";

const nginx = requirePeer("nginx");
const payload = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz");

describe.skipIf(nginx.skip)(`startNginx ${nginx.reason}`, () => {
  const started: NginxPeer[] = [];
  afterAll(async () => {
    await Promise.all(started.map((peer) => peer.stop()));
  });

  it("serves a file with Range and ETag", async () => {
    const peer = await startNginx({ files: { "dir/file.bin": payload } });
    started.push(peer);
    const full = await request(`${peer.url}/dir/file.bin`);
    expect(full.statusCode).toBe(200);
    expect(Buffer.from(await full.body.arrayBuffer())).toEqual(payload);
    expect(full.headers.etag).toBeTypeOf("string");
    const part = await request(`${peer.url}/dir/file.bin`, { headers: { range: "bytes=10-15" } });
    expect(part.statusCode).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 10-15/${payload.length}`);
    expect(await part.body.text()).toBe("abcdef");
    const log = await peer.accessLog();
    expect(log.map((entry) => [entry.status, entry.range])).toEqual([
      [200, ""],
      [206, "bytes=10-15"],
    ]);
  });

  it("answers 503 with Retry-After on a failing location and throttles a slow prefix", async () => {
    const peer = await startNginx({
      files: { "big.bin": Buffer.alloc(128 * 1024, 1) },
      failing: [
        { location: "/flaky/", retryAfter: 2 },
        { location: "= /gone.txt", status: 429 },
      ],
      slow: [{ prefix: "/slow/", bytesPerSecond: 256 * 1024 }],
    });
    started.push(peer);
    const flaky = await request(`${peer.url}/flaky/anything`);
    expect(flaky.statusCode).toBe(503);
    expect(flaky.headers["retry-after"]).toBe("2");
    expect(await flaky.body.text()).toBe("unavailable\n");
    const gone = await request(`${peer.url}/gone.txt`);
    expect(gone.statusCode).toBe(429);
    expect(gone.headers["retry-after"]).toBeUndefined();
    await gone.body.dump();
    const begin = performance.now();
    const slow = await request(`${peer.url}/slow/big.bin`);
    expect(slow.statusCode).toBe(200);
    expect((await slow.body.arrayBuffer()).byteLength).toBe(128 * 1024);
    // 128 KiB at 256 KiB/s: ~500 ms less what the socket buffers absorb at once; unthrottled ~1 ms.
    expect(performance.now() - begin).toBeGreaterThan(250);
  });

  it("runs two instances and stops one by PID mid-test while the other keeps serving", async () => {
    const [a, b] = await Promise.all([
      startNginx({ files: { "x.txt": "a" } }),
      startNginx({ files: { "x.txt": "b" } }),
    ]);
    started.push(a, b);
    expect(a.port).not.toBe(b.port);
    expect(await (await request(`${a.url}/x.txt`)).body.text()).toBe("a");
    await a.stop();
    expect(pidExists(a.pid)).toBe(false);
    expect(await isPortOpen(a.port)).toBe(false);
    expect(existsSync(a.dir)).toBe(false);
    expect(pidExists(b.pid)).toBe(true);
    expect(await (await request(`${b.url}/x.txt`)).body.text()).toBe("b");
    await b.stop();
    expect(pidExists(b.pid)).toBe(false);
    expect(await isPortOpen(b.port)).toBe(false);
  });

  it("adds configured headers on a location and answers If-None-Match with 304", async () => {
    const peer = await startNginx({
      files: { "fresh/a.json": "{}" },
      headers: [{ location: "/fresh/", headers: { "Cache-Control": "max-age=60, stale-if-error=30" } }],
    });
    started.push(peer);
    const first = await request(`${peer.url}/fresh/a.json`);
    await first.body.text();
    expect(first.headers["cache-control"]).toBe("max-age=60, stale-if-error=30");
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"/);
    const second = await request(`${peer.url}/fresh/a.json`, { headers: { "if-none-match": etag } });
    await second.body.dump();
    expect(second.statusCode).toBe(304);
    await expect(startNginx({ headers: [{ location: "/x/", headers: { "a;b": "1" } }] })).rejects.toThrow(
      TypeError,
    );
  });

  it("rejects option values that would break the config", async () => {
    await expect(startNginx({ failing: [{ location: "/x/ { }" }] })).rejects.toThrow(TypeError);
  });
});
