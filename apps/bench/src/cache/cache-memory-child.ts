// Memory of a large body through the cache, in a fresh process with --expose-gc: bare
// undici.request streaming URL, then a client with a disk cache twice (the miss that fills the
// store while the body is read, then the hit streamed back from disk), each hashed on the fly.
import { cache } from "@switchyard/cache";
import { cacheStatusKey, createClient } from "@switchyard/core";
import { drainSha256, peakRssGrowth } from "@switchyard/test-peers/measure";
import { request } from "undici";

const { url, dir } = JSON.parse(process.argv[2] ?? "{}") as { url: string; dir: string };

const bare = await peakRssGrowth(async () => (await drainSha256((await request(url)).body)).sha256);
const cached = cache({ dir });
const client = createClient({ middleware: [cached] });
const pass = () =>
  peakRssGrowth(async () => {
    const res = await client.request(url);
    const { sha256 } = await drainSha256(res.body);
    await cached.idle();
    return `${res.context.get(cacheStatusKey)}:${sha256}`;
  });
const miss = await pass();
const hit = await pass();
await client.close();
await cached.close();
process.send?.({ bare, miss, hit });
