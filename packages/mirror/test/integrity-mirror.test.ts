import { createHash, randomBytes } from "node:crypto";
import { createClient, IntegrityError, servedByKey } from "@switchyard/core";
import { type NginxPeer, requirePeer, startNginx } from "@switchyard/test-peers";
import { freePort } from "@switchyard/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mirror } from "../src/index.ts";

// Core's per-call integrity check wraps the whole call: it checks whichever mirror finally served
// the body, after any failover.
const nginxPeer = requirePeer("nginx");
const GOOD = randomBytes(256 * 1024);
const CORRUPT = Buffer.from(GOOD);
CORRUPT[1000] = (CORRUPT[1000]! + 1) % 256;
const INTEGRITY = `sha256:${createHash("sha256").update(GOOD).digest("hex")}`;
const PKG = "/linux-64/pkg-1.0-0.conda";

describe.skipIf(nginxPeer.skip)(`integrity across a mirror switch (nginx) ${nginxPeer.reason}`, () => {
  let good: NginxPeer;
  let bad: NginxPeer;
  let down: NginxPeer;
  let prefix: string;
  beforeAll(async () => {
    [good, bad, down] = await Promise.all([
      startNginx({ files: { [`ch${PKG}`]: GOOD } }),
      startNginx({ files: { [`ch${PKG}`]: CORRUPT } }),
      startNginx({ files: {}, failing: [{ location: "/ch/", status: 503, retryAfter: 1 }] }),
    ]);
    prefix = `http://127.0.0.1:${await freePort()}/ch`;
  });
  afterAll(async () => {
    await Promise.all([good, bad, down].map((p) => p?.stop()));
  });

  it("checks the body of the mirror that served it after a failover", async () => {
    const client = createClient({
      middleware: [mirror({ mirrors: { [prefix]: [`${down.url}/ch`, `${good.url}/ch`] }, delay: () => 0 })],
    });
    try {
      const res = await client.request(`${prefix}${PKG}`, { integrity: INTEGRITY });
      expect(res.context.get(servedByKey)).toEqual({ kind: "mirror", url: `${good.url}/ch` });
      expect(Buffer.from(await res.bytes()).equals(GOOD)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("fails the body a mirror serves corrupted, after a failover to it", async () => {
    const client = createClient({
      middleware: [mirror({ mirrors: { [prefix]: [`${down.url}/ch`, `${bad.url}/ch`] }, delay: () => 0 })],
    });
    try {
      const res = await client.request(`${prefix}${PKG}`, { integrity: INTEGRITY });
      expect(res.context.get(servedByKey)).toEqual({ kind: "mirror", url: `${bad.url}/ch` });
      const error = await res.bytes().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).url).toBe(`${bad.url}/ch${PKG}`);
    } finally {
      await client.close();
    }
  });
});
