import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NginxPeer, requirePeer, startNginx } from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../testing/run-cli.ts";

const nginxPeer = requirePeer("nginx");
const BODY = Buffer.from("a conda package, more or less\n".repeat(2000));
const SHA256 = createHash("sha256").update(BODY).digest("hex");

describe.skipIf(nginxPeer.skip)(`demo get --integrity ${nginxPeer.reason}`, () => {
  let nginx: NginxPeer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sy-demo-integrity-"));
    const corrupt = Buffer.from(BODY);
    corrupt[10] = 0x21;
    nginx = await startNginx({ files: { "good.conda": BODY, "bad.conda": corrupt } });
  });
  afterAll(async () => {
    await nginx?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("saves a body that matches, and fails one that does not without leaving a file", async () => {
    const ok = await runCli([
      "get",
      `${nginx.url}/good.conda`,
      "--integrity",
      `sha256:${SHA256}`,
      "-o",
      join(dir, "good"),
      "-q",
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await readFile(join(dir, "good"))).equals(BODY)).toBe(true);

    const bad = await runCli([
      "get",
      `${nginx.url}/bad.conda`,
      "--integrity",
      `sha256:${SHA256}`,
      "-o",
      join(dir, "bad"),
      "-q",
    ]);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toMatch(/IntegrityError \(SWITCHYARD_ERR_INTEGRITY\)/);
    await expect(readFile(join(dir, "bad"))).rejects.toThrow();
    await expect(readFile(join(dir, "bad.part"))).rejects.toThrow();
  });
});
