import { createHash, randomBytes } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type NginxPeer, requirePeer, startNginx } from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/client.ts";
import { InvalidRequestError } from "../src/errors.ts";
import { IntegrityError } from "../src/integrity-error.ts";

const nginxPeer = requirePeer("nginx");

const GOOD = randomBytes(512 * 1024);
const CORRUPT = Buffer.from(GOOD);
CORRUPT[CORRUPT.length - 10] = (CORRUPT[CORRUPT.length - 10]! + 1) % 256;
const digest = (algorithm: string, encoding: "base64" | "hex"): string =>
  createHash(algorithm).update(GOOD).digest(encoding);

/** A sink that counts what the caller accepted. */
function counter(): { sink: Writable; bytes: () => number } {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  return { sink, bytes: () => bytes };
}

describe.skipIf(nginxPeer.skip)(`integrity against nginx ${nginxPeer.reason}`, () => {
  let nginx: NginxPeer;
  const client = createClient();
  beforeAll(async () => {
    nginx = await startNginx({ files: { "pkg.tar": GOOD, "corrupt/pkg.tar": CORRUPT } });
  });
  afterAll(async () => {
    await client.close();
    await nginx.stop();
  });

  it.each([
    ["SRI sha512", () => `sha512-${digest("sha512", "base64")}`],
    // A wrong sha256 beside the right sha384: only the strongest algorithm counts (the SRI rule).
    [
      "SRI sha384 beside a wrong sha256",
      () =>
        `sha256-${createHash("sha256").update("other").digest("base64")} sha384-${digest("sha384", "base64")}`,
    ],
    ["an OCI/conda digest", () => `sha256:${digest("sha256", "hex")}`],
    [
      "two alternatives, the second right",
      () => `sha256-${"A".repeat(43)}= sha256-${digest("sha256", "base64")}`,
    ],
  ])("hands over the whole body when it matches (%s)", async (_name, integrity) => {
    const res = await client.request(`${nginx.url}/pkg.tar`, { integrity: integrity() });
    const { sink, bytes } = counter();
    await pipeline(res.body, sink);
    expect(bytes()).toBe(GOOD.length);
  });

  it("fails the stream of a corrupted copy instead of ending it, before the caller has every byte", async () => {
    const integrity = `sha512-${digest("sha512", "base64")}`;
    const res = await client.request(`${nginx.url}/corrupt/pkg.tar`, { integrity });
    expect(res.status).toBe(200);
    const { sink, bytes } = counter();
    const error = await pipeline(res.body, sink).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as IntegrityError).code).toBe("SWITCHYARD_ERR_INTEGRITY");
    expect((error as IntegrityError).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/corrupt\/pkg\.tar: the body/,
    );
    expect((error as IntegrityError).bytes).toBe(CORRUPT.length);
    expect(bytes()).toBeLessThan(CORRUPT.length);
  });

  it("fails text(), bytes() and arrayBuffer() of a corrupted copy with IntegrityError", async () => {
    const integrity = `sha256:${digest("sha256", "hex")}`;
    for (const read of ["bytes", "text", "arrayBuffer"] as const) {
      const res = await client.request(`${nginx.url}/corrupt/pkg.tar`, { integrity });
      await expect(res[read]()).rejects.toBeInstanceOf(IntegrityError);
    }
  });

  it("refuses a malformed integrity before sending anything", async () => {
    const before = (await nginx.accessLog()).length;
    const error = await client
      .request(`${nginx.url}/pkg.tar`, { integrity: "sha256:xyz" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/pkg\.tar: integrity entry "sha256:xyz"/,
    );
    expect((await nginx.accessLog()).length).toBe(before);
  });

  it("publishes switchyard:core:integrity with the outcome", async () => {
    const events: Array<{ ok: boolean; algorithm: string; bytes: number }> = [];
    const listener = (message: unknown): void => {
      events.push(message as (typeof events)[number]);
    };
    diagnosticsChannel.subscribe("switchyard:core:integrity", listener);
    try {
      const integrity = `sha512-${digest("sha512", "base64")}`;
      await (await client.request(`${nginx.url}/pkg.tar`, { integrity })).bytes();
      await (await client.request(`${nginx.url}/corrupt/pkg.tar`, { integrity }))
        .bytes()
        .catch(() => undefined);
    } finally {
      diagnosticsChannel.unsubscribe("switchyard:core:integrity", listener);
    }
    expect(events.map((e) => [e.ok, e.algorithm, e.bytes])).toEqual([
      [true, "sha512", GOOD.length],
      [false, "sha512", CORRUPT.length],
    ]);
  });
});
