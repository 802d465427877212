import { createHash, randomBytes } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import { attemptKey, createClient, IntegrityError } from "@switchyard/core";
import { type NginxPeer, requirePeer, startNginx } from "@switchyard/test-peers";
import { fakeClock } from "@switchyard/testkit/clock";
import { type FaultProxy, resetAfter, startFaultProxy } from "@switchyard/testkit/fault";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retry } from "../src/retry.ts";

// Core's per-call integrity check wraps the whole call, so it covers a body that retry stitched
// together from several answers: the digest is over the bytes the caller reads.
const nginxPeer = requirePeer("nginx");
const GOOD = randomBytes(768 * 1024);
const CORRUPT = Buffer.from(GOOD);
CORRUPT[700_000] = (CORRUPT[700_000]! + 1) % 256;
const INTEGRITY = `sha512-${createHash("sha512").update(GOOD).digest("base64")}`;

describe.skipIf(nginxPeer.skip)(`integrity across a resumed download (nginx) ${nginxPeer.reason}`, () => {
  let nginx: NginxPeer;
  let fault: FaultProxy;
  beforeAll(async () => {
    nginx = await startNginx({ files: { "pkg.tar": GOOD, "corrupt/pkg.tar": CORRUPT } });
    fault = await startFaultProxy({ target: nginx.url });
  });
  afterAll(async () => {
    await fault.close();
    await nginx.stop();
  });

  function resumingClient() {
    const clock = fakeClock();
    return createClient({ middleware: [retry({ resume: true, now: clock.now, sleep: clock.sleep })] });
  }

  it("accepts a download cut mid-way and resumed with Range when the whole matches", async () => {
    const resumes: unknown[] = [];
    const listener = (m: unknown): void => {
      resumes.push(m);
    };
    diagnosticsChannel.subscribe("switchyard:retry:resume", listener);
    const client = resumingClient();
    try {
      fault.next([resetAfter(200_000)]);
      const res = await client.request(`${fault.origin}/pkg.tar`, { integrity: INTEGRITY });
      const bytes = Buffer.from(await res.bytes());
      expect(bytes.equals(GOOD)).toBe(true);
      expect(resumes).toHaveLength(1);
      expect(res.context.get(attemptKey)).toBe(2);
      expect(
        (await nginx.accessLog()).some((e) => e.uri === "/pkg.tar" && e.range.startsWith("bytes=")),
      ).toBe(true);
    } finally {
      diagnosticsChannel.unsubscribe("switchyard:retry:resume", listener);
      await client.close();
    }
  });

  it("fails a resumed download whose bytes after the cut are wrong, over the whole length", async () => {
    const client = resumingClient();
    try {
      fault.next([resetAfter(200_000)]);
      const res = await client.request(`${fault.origin}/corrupt/pkg.tar`, { integrity: INTEGRITY });
      const error = await res.bytes().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).bytes).toBe(CORRUPT.length);
      expect(res.context.get(attemptKey)).toBe(2);
    } finally {
      await client.close();
    }
  });
});
