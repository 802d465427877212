import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheStatusKey, createClient } from "@switchyard/core";
import { retry } from "@switchyard/retry";
import type { NginxPeer } from "@switchyard/test-peers";
import { requirePeer, startNginx } from "@switchyard/test-peers";
import cacache from "cacache";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cache } from "../src/cache.ts";
import { collectEvents, manualClock } from "../src/test-helpers.ts";

const nginx = requirePeer("nginx");

// A conda-style channel: repodata.json revalidated on every use (as conda servers mark it), shards
// addressed by their hash and immutable.
const repodata = JSON.stringify({
  info: { subdir: "noarch" },
  packages: { "a-1.0-0.tar.bz2": { name: "a" } },
});
const shard = Buffer.from("zstd-shard-bytes-".repeat(1000));

describe.skipIf(nginx.skip)(`cache against nginx ${nginx.reason}`, () => {
  let peer: NginxPeer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sy-cache-nginx-"));
    peer = await startNginx({
      files: {
        "channel/noarch/repodata.json": repodata,
        "channel/noarch/repodata_shards.msgpack.zst": shard,
        "channel/shards/0f1e2d.msgpack.zst": shard,
        "fresh/a.txt": "fresh file",
        "lm/b.txt": "heuristic file",
        "big/8m.bin": Buffer.alloc(8 * 1024 * 1024, 7),
      },
      headers: [
        { location: "/channel/noarch/", headers: { "Cache-Control": "public, max-age=0, must-revalidate" } },
        { location: "/channel/shards/", headers: { "Cache-Control": "public, max-age=31536000, immutable" } },
        { location: "/fresh/", headers: { "Cache-Control": "max-age=60" } },
      ],
    });
  });
  afterAll(async () => {
    await peer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const log = async (uri: string) =>
    (await peer.accessLog()).filter((e) => e.uri === uri).map((e) => e.status);

  it("fetches a conda channel twice: the second time repodata is revalidated by a 304 and shards are hits", async () => {
    const cached = cache({ dir: join(dir, "conda") });
    const client = createClient({ middleware: [retry(), cached] });
    const urls = [
      `${peer.url}/channel/noarch/repodata.json`,
      `${peer.url}/channel/noarch/repodata_shards.msgpack.zst`,
      `${peer.url}/channel/shards/0f1e2d.msgpack.zst`,
    ];
    const run = async () => {
      const out: [string | undefined, number][] = [];
      for (const url of urls) {
        const res = await client.request(url);
        out.push([res.context.get(cacheStatusKey), (await res.bytes()).length]);
        await cached.idle();
      }
      return out;
    };
    expect(await run()).toEqual([
      ["miss", repodata.length],
      ["miss", shard.length],
      ["miss", shard.length],
    ]);
    expect(await run()).toEqual([
      ["revalidated", repodata.length],
      ["revalidated", shard.length],
      ["hit", shard.length],
    ]);
    expect(await log("/channel/noarch/repodata.json")).toEqual([200, 304]);
    expect(await log("/channel/shards/0f1e2d.msgpack.zst")).toEqual([200]);
    const res = await client.request(urls[0]!);
    expect(await res.json()).toEqual(JSON.parse(repodata));
    await client.close();
    await cached.close();
  });

  it("sends nginx's ETag and Last-Modified back and serves the stored body on 304 when stale", async () => {
    const clock = manualClock();
    const cached = cache({ dir: join(dir, "fresh"), now: clock.now });
    const client = createClient({ middleware: [cached] });
    const url = `${peer.url}/fresh/a.txt`;
    const first = await client.request(url);
    const etag = first.headers.get("etag");
    const lastModified = first.headers.get("last-modified");
    expect(etag).toBeDefined();
    expect(lastModified).toBeDefined();
    await first.text();
    await cached.idle();
    const hit = await client.request(url);
    expect(hit.context.get(cacheStatusKey)).toBe("hit");
    await hit.text();
    clock.advance(61_000);
    const { result, events } = await collectEvents(async () => {
      const res = await client.request(url);
      return [res.context.get(cacheStatusKey), await res.text()];
    });
    expect(result).toEqual(["revalidated", "fresh file"]);
    expect(await log("/fresh/a.txt")).toEqual([200, 304]);
    expect(events.map(([name]) => name)).toContain("revalidated");
    expect(JSON.stringify(events)).not.toContain("a.txt?");
    await client.close();
    await cached.close();
  });

  it("gives a response with only Last-Modified a heuristic lifetime (10 % of its age)", async () => {
    const clock = manualClock();
    const url = `${peer.url}/lm/b.txt`;
    // nginx reports the file's mtime: make it 1000 s old, so the heuristic lifetime is 100 s.
    const mtime = new Date(Date.now() - 1_000_000);
    utimesSync(join(peer.root, "lm/b.txt"), mtime, mtime);
    const cached = cache({ dir: join(dir, "lm"), now: clock.now });
    const client = createClient({ middleware: [cached] });
    const status = async () => {
      const res = await client.request(url);
      await res.text();
      await cached.idle();
      return res.context.get(cacheStatusKey);
    };
    expect(await status()).toBe("miss");
    clock.advance(90_000);
    expect(await status()).toBe("hit");
    clock.advance(20_000);
    expect(await status()).toBe("revalidated");
    expect(await log("/lm/b.txt")).toEqual([200, 304]);
    await client.close();
    await cached.close();
  });

  it("treats a corrupted entry on disk as a miss, evicts it and fetches the body again", async () => {
    const store = join(dir, "corrupt");
    const cached = cache({ dir: store });
    const client = createClient({ middleware: [cached] });
    const url = `${peer.url}/fresh/a.txt`;
    await (await client.request(url)).text();
    await cached.idle();
    await client.close();
    await cached.close();
    const [entry] = Object.values(await cacache.ls(store));
    writeFileSync(entry!.path, "FRESH FILE");
    // A new process's view: nothing remembered in memory.
    const again = cache({ dir: store });
    const client2 = createClient({ middleware: [again] });
    const { result, events } = await collectEvents(async () => {
      const res = await client2.request(url);
      return [res.context.get(cacheStatusKey), await res.text()];
    });
    expect(result).toEqual(["miss", "fresh file"]);
    expect(
      events.filter(([name]) => name === "evicted").map(([, e]) => (e as { reason: string }).reason),
    ).toEqual(["corrupt"]);
    await again.idle();
    const third = await client2.request(url);
    expect([third.context.get(cacheStatusKey), await third.text()]).toEqual(["hit", "fresh file"]);
    await client2.close();
    await again.close();
  });

  it("stores nothing when the caller aborts mid-body, and leaves no temp file", async () => {
    const store = join(dir, "abort");
    const cached = cache({ dir: store, maxLag: 1024 });
    const client = createClient({ middleware: [cached] });
    const url = `${peer.url}/big/8m.bin`;
    const res = await client.request(url);
    // One chunk, then give up: break destroys the stream (and nothing reads ahead in flowing mode).
    for await (const _chunk of res.stream()) break;
    await cached.idle();
    expect(await cacache.ls(store)).toEqual({});
    expect(readdirSync(join(store, "tmp"))).toEqual([]);
    const next = await client.request(url);
    expect(next.context.get(cacheStatusKey)).toBe("miss");
    await next.bytes();
    await client.close();
    await cached.close();
  });
});
