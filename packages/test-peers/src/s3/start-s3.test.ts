import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { isPortOpen } from "@switchyard/testkit/process";
import aws4 from "aws4";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3Peer, startS3 } from "./start-s3.ts";

let s3: S3Peer;
const clients: S3Client[] = [];

function client(overrides: Partial<S3ClientConfig> = {}): S3Client {
  const created = new S3Client({
    endpoint: s3.url,
    region: s3.region,
    forcePathStyle: true,
    credentials: s3.credentials,
    maxAttempts: 1,
    ...overrides,
  });
  clients.push(created);
  return created;
}

async function s3Error(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException)
      return { name: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error("expected the request to fail");
}

beforeAll(async () => {
  s3 = await startS3({ buckets: ["private", { name: "open", public: true }], memoryLimitBytes: 64 * 1024 });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await s3.stop();
  expect(await isPortOpen(s3.port)).toBe(false);
  expect(existsSync(s3.dir)).toBe(false);
});

describe("startS3 (SigV4 front over s3rver), checked with @aws-sdk/client-s3", () => {
  it("passes the SDK's Put, Get, Head and Delete", async () => {
    const sdk = client();
    await sdk.send(
      new PutObjectCommand({ Bucket: "private", Key: "dir/hello world+1.txt", Body: "hello s3" }),
    );
    const head = await sdk.send(new HeadObjectCommand({ Bucket: "private", Key: "dir/hello world+1.txt" }));
    expect(head.ContentLength).toBe(8);
    const got = await sdk.send(
      new GetObjectCommand({ Bucket: "private", Key: "dir/hello world+1.txt", Range: "bytes=6-7" }),
    );
    expect(await got.Body?.transformToString()).toBe("s3");
    await sdk.send(new DeleteObjectCommand({ Bucket: "private", Key: "dir/hello world+1.txt" }));
    expect(
      await s3Error(sdk.send(new HeadObjectCommand({ Bucket: "private", Key: "dir/hello world+1.txt" }))),
    ).toEqual({ name: "NotFound", status: 404 });
    const signed = s3.requests.filter((r) => r.auth === "header");
    expect(signed.length).toBeGreaterThanOrEqual(5);
    expect(signed.every((r) => r.accessKeyId === s3.credentials.accessKeyId)).toBe(true);
  });

  it("rejects a wrong secret with SignatureDoesNotMatch and an unknown key with InvalidAccessKeyId", async () => {
    const wrongSecret = client({ credentials: { ...s3.credentials, secretAccessKey: "not-the-secret" } });
    expect(
      await s3Error(wrongSecret.send(new PutObjectCommand({ Bucket: "private", Key: "x", Body: "x" }))),
    ).toEqual({
      name: "SignatureDoesNotMatch",
      status: 403,
    });
    const unknownKey = client({ credentials: { accessKeyId: "NOBODY", secretAccessKey: "x" } });
    expect(await s3Error(unknownKey.send(new GetObjectCommand({ Bucket: "private", Key: "x" })))).toEqual({
      name: "InvalidAccessKeyId",
      status: 403,
    });
    expect((await request(`${s3.upstreamUrl}/private/x`)).statusCode).toBe(404); // nothing was stored
  });

  it("rejects anonymous requests unless the bucket is public (and then only reads)", async () => {
    await client().send(new PutObjectCommand({ Bucket: "open", Key: "readme", Body: "public" }));
    await client().send(new PutObjectCommand({ Bucket: "private", Key: "secret", Body: "private" }));
    const denied = await request(`${s3.url}/private/secret`);
    expect(denied.statusCode).toBe(403);
    expect(await denied.body.text()).toMatch(/<Code>AccessDenied<\/Code>/);
    const read = await request(`${s3.url}/open/readme`);
    expect(read.statusCode).toBe(200);
    expect(await read.body.text()).toBe("public");
    const write = await request(`${s3.url}/open/readme`, { method: "PUT", body: "defaced" });
    expect(write.statusCode).toBe(403);
    await write.body.dump();
  });

  it("rejects a body that does not match its signed x-amz-content-sha256, small or spooled", async () => {
    const sdk = client();
    // The signer keeps an x-amz-content-sha256 that is already set: sign a hash of other bytes.
    sdk.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { headers: Record<string, string> };
        req.headers["x-amz-content-sha256"] = createHash("sha256").update("something else").digest("hex");
        return next(args);
      },
      { step: "build", name: "tamperPayloadHash" },
    );
    for (const [key, body] of [
      ["small", "tampered"],
      ["large", Buffer.alloc(300 * 1024, 7)],
    ] as const) {
      expect(
        await s3Error(sdk.send(new PutObjectCommand({ Bucket: "private", Key: key, Body: body }))),
      ).toEqual({
        name: "XAmzContentSHA256Mismatch",
        status: 400,
      });
      const stored = await request(`${s3.upstreamUrl}/private/${key}`);
      expect(stored.statusCode).toBe(404);
      await stored.body.dump();
    }
  });

  it("verifies large signed bodies through the spool file", async () => {
    const big = Buffer.alloc(512 * 1024, 3);
    await client().send(new PutObjectCommand({ Bucket: "private", Key: "big", Body: big }));
    const put = s3.requests.findLast((r) => r.method === "PUT" && r.url.startsWith("/private/big"));
    expect(put).toMatchObject({ status: 200, payloadHash: createHash("sha256").update(big).digest("hex") });
    const back = await request(`${s3.upstreamUrl}/private/big`);
    expect(Buffer.from(await back.body.arrayBuffer()).equals(big)).toBe(true);
  });

  it.each([
    ["STREAMING-UNSIGNED-PAYLOAD-TRAILER", {}],
    ["UNSIGNED-PAYLOAD", { requestChecksumCalculation: "WHEN_REQUIRED" }],
  ] as const)("takes the SDK's stream uploads signed %s", async (mode, overrides) => {
    const sdk = client(overrides);
    const key = `streamed-${mode}`;
    const stream = Readable.from([Buffer.alloc(100_000, 1), Buffer.alloc(100_000, 2)]);
    await sdk.send(
      new PutObjectCommand({ Bucket: "private", Key: key, Body: stream, ContentLength: 200_000 }),
    );
    expect(s3.requests.findLast((r) => r.method === "PUT")).toMatchObject({ payloadHash: mode, status: 200 });
    const back = await sdk.send(new GetObjectCommand({ Bucket: "private", Key: key }));
    const bytes = Buffer.from(await back.Body!.transformToByteArray());
    expect([bytes.length, bytes[99_999], bytes[100_000]]).toEqual([200_000, 1, 2]);
  });

  it("rejects an aws-chunked body whose CRC32 trailer does not match", async () => {
    const body = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
    // aws4 signs here only to get past the signature check; the trailer check is what is tested.
    const signed = aws4.sign(
      {
        host: `127.0.0.1:${s3.port}`,
        method: "PUT",
        path: "/private/bad-crc",
        service: "s3",
        region: s3.region,
        headers: {
          "content-encoding": "aws-chunked",
          "content-length": String(body.length),
          "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
          "x-amz-decoded-content-length": "5",
          "x-amz-trailer": "x-amz-checksum-crc32",
        },
      },
      s3.credentials,
    );
    const res = await request(`${s3.url}/private/bad-crc`, {
      method: "PUT",
      headers: signed.headers as Record<string, string>,
      body,
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toMatch(/<Code>BadDigest<\/Code>/);
  });

  it("accepts the SDK's presigned URLs and refuses tampered ones", async () => {
    const sdk = client();
    await sdk.send(new PutObjectCommand({ Bucket: "private", Key: "presigned.txt", Body: "via url" }));
    const url = await getSignedUrl(sdk, new GetObjectCommand({ Bucket: "private", Key: "presigned.txt" }), {
      expiresIn: 60,
    });
    expect(url).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
    const ok = await request(url);
    expect(ok.statusCode).toBe(200);
    expect(await ok.body.text()).toBe("via url");
    const tampered = await request(url.replace("presigned.txt", "secret"));
    expect(tampered.statusCode).toBe(403);
    expect(await tampered.body.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);
  });

  it("serves virtual-host style requests addressed through the Host header", async () => {
    const sdk = client();
    // Connect to 127.0.0.1 but sign and send Host: <bucket>.s3.amazonaws.com:<port>, path without the bucket.
    sdk.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { headers: Record<string, string>; path: string };
        req.path = req.path.replace(/^\/private(?=\/)/, "");
        req.headers.host = s3.virtualHost("private");
        return next(args);
      },
      { step: "build", name: "virtualHost" },
    );
    await sdk.send(new PutObjectCommand({ Bucket: "private", Key: "vhost.txt", Body: "virtual" }));
    const got = await sdk.send(new GetObjectCommand({ Bucket: "private", Key: "vhost.txt" }));
    expect(await got.Body?.transformToString()).toBe("virtual");
    const last = s3.requests.at(-1);
    expect(last).toMatchObject({ style: "virtual", bucket: "private", status: 200 });
    expect(last?.url).toMatch(/^\/vhost\.txt(\?|$)/);
  });
});

describe("startS3 with a session token", () => {
  it("requires the configured x-amz-security-token", async () => {
    const peer = await startS3({
      credentials: { accessKeyId: "TEMPKEY", secretAccessKey: "temp-secret", sessionToken: "session-1" },
    });
    const withToken = new S3Client({
      endpoint: peer.url,
      region: peer.region,
      forcePathStyle: true,
      credentials: peer.credentials,
      maxAttempts: 1,
    });
    const withoutToken = new S3Client({
      endpoint: peer.url,
      region: peer.region,
      forcePathStyle: true,
      credentials: { accessKeyId: "TEMPKEY", secretAccessKey: "temp-secret" },
      maxAttempts: 1,
    });
    try {
      await withToken.send(new PutObjectCommand({ Bucket: "switchyard", Key: "k", Body: "v" }));
      expect(
        await s3Error(withoutToken.send(new GetObjectCommand({ Bucket: "switchyard", Key: "k" }))),
      ).toEqual({
        name: "InvalidToken",
        status: 403,
      });
    } finally {
      withToken.destroy();
      withoutToken.destroy();
      await peer.stop();
    }
  });
});
