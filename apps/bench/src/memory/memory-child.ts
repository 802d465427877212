// One memory measurement in a fresh process: warm up, take the baseline, move the bytes, report
// the peak RSS growth to the parent over IPC. Run by memory-bench.ts; not a module to import.
import type { Readable } from "node:stream";
import type { MemoryCase, MemoryResult } from "./memory-case.ts";
import { MIRRORED_PREFIX } from "./memory-case.ts";
import { watchRss } from "./rss.ts";

const spec = JSON.parse(process.argv[2] ?? "{}") as MemoryCase;

function send(message: unknown): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send?.(message, (e: Error | null) => (e ? reject(e) : resolve())),
  );
}

async function count(body: Readable | AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of body) n += (chunk as Uint8Array).length;
  return n;
}

/** Sends one transfer; returns [status, bytes]. */
type Transfer = (key: string, size: number, presigned: string | undefined) => Promise<[number, number]>;

async function bareTransfer(up: boolean): Promise<Transfer> {
  const { request } = await import("undici");
  const { generatedBodyStream } = await import("@switchyard/testkit/servers");
  return async (_key, size, presigned) => {
    if (presigned === undefined) throw new Error("bare cases need a presigned URL");
    if (up) {
      const res = await request(presigned, {
        method: "PUT",
        body: generatedBodyStream({ size, seed: "memory" }),
        headers: { "content-length": String(size) },
      });
      await res.body.dump();
      return [res.statusCode, size];
    }
    const res = await request(presigned);
    return [res.statusCode, await count(res.body)];
  };
}

async function switchyardClient() {
  const { createClient } = await import("@switchyard/core");
  const { retry } = await import("@switchyard/retry");
  const { mirror } = await import("@switchyard/mirror");
  const { s3 } = await import("@switchyard/s3");
  const { url, region, accessKeyId, secretAccessKey, bucket } = spec.s3;
  return createClient({
    middleware: [
      retry(),
      mirror({ mirrors: { [MIRRORED_PREFIX]: [`s3://${bucket}/data`] } }),
      s3({ endpoint: url, region, credentials: { accessKeyId, secretAccessKey } }),
    ],
  });
}

async function switchyardTransfer(mode: "down" | "buffered" | "up"): Promise<Transfer> {
  const { replayable } = await import("@switchyard/core");
  const { generatedBodyStream } = await import("@switchyard/testkit/servers");
  const client = await switchyardClient();
  return async (key, size) => {
    if (mode === "up") {
      const res = await client.request(`s3://${spec.s3.bucket}/data/${key}`, {
        method: "PUT",
        body: replayable(() => generatedBodyStream({ size, seed: "memory" }), { length: size }),
      });
      await res.discard();
      return [res.status, size];
    }
    const res = await client.request(`${MIRRORED_PREFIX}/${key}`);
    if (mode === "buffered") return [res.status, (await res.bytes()).length];
    return [res.status, await count(res.body)];
  };
}

/** The proxy case: the parent drives the uploads; the child only serves and measures. */
async function proxyCase(): Promise<void> {
  const { startUploadProxy } = await import("./demo-proxy.ts");
  const client = await switchyardClient();
  const proxy = await startUploadProxy({ client, target: `s3://${spec.s3.bucket}/data` });
  let watch: ReturnType<typeof watchRss> | undefined;
  let started = 0;
  process.on("message", (message: { type: string; status?: number; bytes?: number }) => {
    if (message.type === "start") {
      watch = watchRss();
      started = performance.now();
      void send({ type: "watching" });
    } else if (message.type === "stop" && watch) {
      const peak = watch.stop();
      const result: MemoryResult = {
        kind: spec.kind,
        size: spec.size,
        baseline: watch.baseline,
        peak,
        growth: peak - watch.baseline,
        bytes: message.bytes ?? 0,
        ms: performance.now() - started,
        status: message.status ?? 0,
      };
      void send({ type: "result", result })
        .then(() => proxy.close())
        .then(() => process.exit(0));
    }
  });
  await send({ type: "proxy", url: proxy.url });
}

async function main(): Promise<void> {
  if (spec.kind === "proxy-up") return proxyCase();
  const transfer =
    spec.kind === "bare-down"
      ? await bareTransfer(false)
      : spec.kind === "bare-up"
        ? await bareTransfer(true)
        : await switchyardTransfer(
            spec.kind === "switchyard-up" ? "up" : spec.kind === "buffered-down" ? "buffered" : "down",
          );
  const [warmStatus] = await transfer(spec.warmKey, spec.warmSize, spec.warmPresigned);
  if (warmStatus !== 200) throw new Error(`warm-up answered ${warmStatus}`);
  const watch = watchRss();
  const started = performance.now();
  const [status, bytes] = await transfer(spec.key, spec.size, spec.presigned);
  const ms = performance.now() - started;
  const peak = watch.stop();
  const result: MemoryResult = {
    kind: spec.kind,
    size: spec.size,
    baseline: watch.baseline,
    peak,
    growth: peak - watch.baseline,
    bytes,
    ms,
    status,
  };
  await send({ type: "result", result });
  process.exit(0);
}

main().catch((error: unknown) => {
  void send({
    type: "error",
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  })
    .catch(() => {})
    .finally(() => process.exit(1));
});
