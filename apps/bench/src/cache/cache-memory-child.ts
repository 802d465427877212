// Memory of a large body through the cache, in a fresh process with --expose-gc: bare
// undici.request streaming URL, then a client with a disk cache twice (the miss that fills the
// store while the body is read, then the hit streamed back from disk), each hashed on the fly.
import { createHash } from "node:crypto";
import { cache } from "@switchyard/cache";
import { cacheStatusKey, createClient } from "@switchyard/core";
import { request } from "undici";
import { peakRssGrowth } from "./peak-rss.ts";

const { url, dir } = JSON.parse(process.argv[2] ?? "{}") as { url: string; dir: string };

async function drain(body: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of body) hash.update(chunk);
  return hash.digest("hex");
}

const bare = await peakRssGrowth(async () => drain((await request(url)).body));
const cached = cache({ dir });
const client = createClient({ middleware: [cached] });
const pass = () =>
  peakRssGrowth(async () => {
    const res = await client.request(url);
    const sha = await drain(res.body);
    await cached.idle();
    return `${res.context.get(cacheStatusKey)}:${sha}`;
  });
const miss = await pass();
const hit = await pass();
await client.close();
await cached.close();
process.send?.({ bare, miss, hit });
