import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestServer } from "@switchyard/testkit/servers";
import { generatedBodySha256, startTestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SIZE = 256 * 1024 * 1024;
// Far below the body size: a cache that buffered the body would exceed it. maxLag is 16 MiB.
const MAX_GROWTH_MIB = 96;

interface Pass {
  result: { sha256: string; bytes: number; status?: string };
  peakMiB: number;
  ms: number;
}

function runChild(url: string, dir: string): Promise<{ bare: Pass; miss: Pass; hit: Pass }> {
  const script = fileURLToPath(new URL("./fixtures/large-child.ts", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", script, JSON.stringify({ url, dir })], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 170_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`large-body child exited ${code}: ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe("cache with a large body", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), "sy-cache-large-"));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fills the disk store from a 256 MiB body and serves it back with flat memory and intact bytes", {
    timeout: 180_000,
  }, async () => {
    server.route("/large.bin", {
      headers: { "cache-control": "max-age=3600" },
      body: { size: SIZE, seed: "cache" },
    });
    const report = await runChild(`${server.origin}/large.bin`, dir);
    console.info(
      `cache 256 MiB: bare ${report.bare.ms.toFixed(0)} ms +${report.bare.peakMiB.toFixed(1)} MiB; miss ${report.miss.ms.toFixed(0)} ms +${report.miss.peakMiB.toFixed(1)} MiB; hit ${report.hit.ms.toFixed(0)} ms +${report.hit.peakMiB.toFixed(1)} MiB`,
    );
    const sha256 = generatedBodySha256({ size: SIZE, seed: "cache" });
    expect(report.bare.result).toEqual({ sha256, bytes: SIZE });
    expect(report.miss.result).toEqual({ sha256, bytes: SIZE, status: "miss" });
    expect(report.hit.result).toEqual({ sha256, bytes: SIZE, status: "hit" });
    expect(report.miss.peakMiB).toBeLessThan(MAX_GROWTH_MIB);
    expect(report.hit.peakMiB).toBeLessThan(MAX_GROWTH_MIB);
    expect(server.requests.filter((r) => r.url === "/large.bin")).toHaveLength(2);
  });
});
