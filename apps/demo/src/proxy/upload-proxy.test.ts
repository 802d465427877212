import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createClient } from "@switchyard/core";
import { retry } from "@switchyard/retry";
import { s3 } from "@switchyard/s3";
import { type S3Peer, startS3 } from "@switchyard/test-peers";
import {
  generatedBodyChunks,
  generatedBodySha256,
  startTestServer,
  type TestServer,
} from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAIN } from "../testing/run-cli.ts";
import { startUploadProxy, targetUrl, type UploadResult } from "./upload-proxy.ts";

const BOUNDARY = "----switchyard-demo-boundary";

/** A multipart body produced on the fly: text fields, then files whose bytes are generated lazily. */
async function* multipart(
  parts: readonly (
    | { field: string; value: string }
    | { field: string; filename: string; size: number; seed: string }
  )[],
) {
  for (const part of parts) {
    if ("value" in part) {
      yield Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.field}"\r\n\r\n${part.value}\r\n`,
      );
      continue;
    }
    yield Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.field}"; filename="${part.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    yield* generatedBodyChunks({ size: part.size, seed: part.seed, chunk: 256 * 1024 });
    yield Buffer.from("\r\n");
  }
  yield Buffer.from(`--${BOUNDARY}--\r\n`);
}

// The uploads go through a bare Switchyard client too: an async iterable body streams as it is made.
const uploader = createClient();
afterAll(() => uploader.close());

async function upload(url: string, parts: Parameters<typeof multipart>[0]) {
  const res = await uploader.request(url, {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    body: multipart(parts),
  });
  return { status: res.status, body: await res.json<{ files?: UploadResult[]; error?: string }>() };
}

describe("upload proxy (in process)", () => {
  let sink: TestServer;
  let s3peer: S3Peer;
  beforeAll(async () => {
    sink = await startTestServer();
    sink.route("/up/*", { status: 201 });
    sink.route("/broken/*", { status: 500, body: "disk full" });
    s3peer = await startS3({ buckets: ["uploads"] });
  });
  afterAll(async () => {
    await Promise.all([sink?.close(), s3peer?.stop()]);
  });

  it("streams each file field as a PUT to the target URL", async () => {
    const client = createClient();
    const proxy = await startUploadProxy({ client, target: `${sink.origin}/up/` });
    try {
      const { status, body } = await upload(`${proxy.url}/`, [
        { field: "a", filename: "one.bin", size: 3 * 1024 * 1024 + 7, seed: "one" },
        { field: "note", value: "not a file" },
        { field: "b", filename: "dir/two words.bin", size: 1000, seed: "two" },
      ]);
      expect(status).toBe(200);
      expect(body.files?.map((f) => [f.field, f.filename, f.bytes, f.status])).toEqual([
        ["a", "one.bin", 3 * 1024 * 1024 + 7, 201],
        ["b", "two words.bin", 1000, 201], // busboy keeps only the base name
      ]);
      const puts = sink.requests.filter((r) => r.method === "PUT");
      expect(puts.map((r) => r.path)).toEqual(["/up/one.bin", "/up/two%20words.bin"]);
      expect(puts[0]!.bodySha256).toBe(generatedBodySha256({ size: 3 * 1024 * 1024 + 7, seed: "one" }));
      expect(body.files![0]!.sha256).toBe(puts[0]!.bodySha256);
      // No length was given, so the file went out chunked, as it arrived.
      expect(puts[0]!.headers["transfer-encoding"]).toBe("chunked");
    } finally {
      await proxy.close();
      await client.close();
    }
  });

  it("PUTs to s3:// through the s3 plugin, with the length from a size field", async () => {
    const client = createClient({
      middleware: [s3({ endpoint: s3peer.url, region: s3peer.region, credentials: s3peer.credentials })],
    });
    const proxy = await startUploadProxy({ client, target: "s3://uploads/incoming" });
    try {
      const size = 2 * 1024 * 1024 + 3;
      const { status, body } = await upload(`${proxy.url}/`, [
        { field: "size", value: String(size) },
        { field: "file", filename: "big.bin", size, seed: "s3" },
      ]);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.files?.[0]).toMatchObject({
        url: "s3://uploads/incoming/big.bin",
        bytes: size,
        status: 200,
      });
      const stored = await fetch(`${s3peer.upstreamUrl}/uploads/incoming/big.bin`);
      const digest = createHash("sha256")
        .update(Buffer.from(await stored.arrayBuffer()))
        .digest("hex");
      expect(digest).toBe(generatedBodySha256({ size, seed: "s3" }));
      expect(s3peer.requests.at(-1)).toMatchObject({ method: "PUT", status: 200 });
    } finally {
      await proxy.close();
      await client.close();
    }
  });

  it("answers 411 naming the missing length when an s3 upload has no size field", async () => {
    const client = createClient({
      middleware: [s3({ endpoint: s3peer.url, region: s3peer.region, credentials: s3peer.credentials })],
    });
    const proxy = await startUploadProxy({ client, target: "s3://uploads/incoming" });
    try {
      const { status, body } = await upload(`${proxy.url}/`, [
        { field: "file", filename: "nolength.bin", size: 100_000, seed: "n" },
        { field: "size", value: "10" },
        { field: "file", filename: "small.bin", size: 10, seed: "m" },
      ]);
      expect(status).toBe(411);
      expect(body.files![0]!.error).toMatch(/S3RequestError .*length/i);
      // The part after the refused one still went through: the refused file was drained, not stuck.
      expect(body.files![1]).toMatchObject({ filename: "small.bin", bytes: 10, status: 200 });
    } finally {
      await proxy.close();
      await client.close();
    }
  });

  it("answers 502 with the upstream status, and a one-shot body is never resent by retry", async () => {
    const client = createClient({ middleware: [retry({ maxRetries: 2, minDelay: 1, maxDelay: 2 })] });
    const proxy = await startUploadProxy({ client, target: `${sink.origin}/broken` });
    try {
      const { status, body } = await upload(`${proxy.url}/`, [
        { field: "f", filename: "x.bin", size: 50_000, seed: "x" },
      ]);
      expect(status).toBe(502);
      expect(body.files![0]!.error ?? "").toMatch(/upstream answered 500: disk full|BodyNotReplayableError/);
      expect(sink.requests.filter((r) => r.path === "/broken/x.bin")).toHaveLength(1);
    } finally {
      await proxy.close();
      await client.close();
    }
  });

  it("refuses what is not a multipart upload", async () => {
    const client = createClient();
    const proxy = await startUploadProxy({ client, target: `${sink.origin}/up` });
    try {
      const res = await uploader.request(`${proxy.url}/`, {
        method: "POST",
        body: "hello",
        headers: { "content-type": "text/plain" },
      });
      expect(res.status).toBe(400);
      expect((await res.json<{ error: string }>()).error).toMatch(/not a multipart upload/);
    } finally {
      await proxy.close();
      await client.close();
    }
  });

  it.each([
    ["s3://b/prefix", "a.bin", "s3://b/prefix/a.bin"],
    ["s3://b/prefix/", "../../etc/passwd", "s3://b/prefix/passwd"],
    ["http://127.0.0.1:9/up", "C:\\temp\\r é.txt", "http://127.0.0.1:9/up/r%20%C3%A9.txt"],
    ["http://127.0.0.1:9/up", "..", "http://127.0.0.1:9/up/upload"],
  ])("targetUrl(%s, %s) = %s", (target, filename, url) => {
    expect(targetUrl(target, filename)).toBe(url);
  });
});

describe("demo proxy (the CLI), memory", () => {
  it("keeps memory flat while streaming a 384 MiB upload", async () => {
    const sink = await startTestServer();
    sink.route("/up/*", { status: 201 });
    const child = spawn(process.execPath, [MAIN, "proxy", "--port", "0", "--target", `${sink.origin}/up`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let stdout = "";
      child.stdout.setEncoding("utf8");
      const listening = new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: string) => {
          stdout += d;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`proxy exited ${code}: ${stdout}`)));
      });
      const url = await listening;
      const stats = async () =>
        (await (await fetch(`${url}/_stats`)).json()) as { rss: number; maxRss: number };
      // A first upload warms up the code paths and lets the heap reach its working size, so the
      // baseline is the proxy at work, not idle.
      await upload(`${url}/`, [{ field: "warm", filename: "warm.bin", size: 64 * 1024 * 1024, seed: "w" }]);
      const before = await stats();
      const size = 384 * 1024 * 1024;
      const { status, body } = await upload(`${url}/`, [
        { field: "big", filename: "big.bin", size, seed: "big" },
      ]);
      const after = await stats();
      expect(status).toBe(200);
      expect(body.files?.[0]).toMatchObject({ bytes: size, status: 201 });
      const put = sink.requests.find((r) => r.path === "/up/big.bin")!;
      expect(put.bodyBytes).toBe(size);
      expect(put.bodySha256).toBe(generatedBodySha256({ size, seed: "big" }));
      const growth = after.maxRss - before.maxRss;
      // Buffering would cost the whole 384 MiB; streaming costs a few socket and stream buffers.
      expect(growth).toBeLessThan(size / 8);
      console.log(
        `proxy peak RSS ${Math.round(before.maxRss / 2 ** 20)} -> ${Math.round(after.maxRss / 2 ** 20)} MiB over a ${size / 2 ** 20} MiB upload`,
      );
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit").catch(() => {});
      await sink.close();
    }
  });
});
