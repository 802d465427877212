import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type S3Peer, startS3 } from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SIZE = 512 * 1024 * 1024;
// Far below the object size: a client that buffered the body would exceed it.
const MAX_GROWTH_MIB = 192;

let peer: S3Peer;
beforeAll(async () => {
  peer = await startS3({ buckets: ["data"] });
});
afterAll(async () => {
  await peer?.stop();
});

interface Report {
  uploadStatus: number;
  uploadSha: string;
  downloadSha: string;
  downloadBytes: number;
  upPeakMiB: number;
  downPeakMiB: number;
  upMs: number;
  downMs: number;
}

function runChild(size: number): Promise<Report> {
  const script = fileURLToPath(new URL("./fixtures/stream-transfer.ts", import.meta.url));
  const input = JSON.stringify({
    endpoint: peer.url,
    upstream: peer.upstreamUrl,
    region: peer.region,
    credentials: peer.credentials,
    size,
    bare: false,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", script, input], {
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
    const timer = setTimeout(() => child.kill("SIGKILL"), 110_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`transfer child exited ${code}: ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout) as Report);
    });
  });
}

describe("s3 large transfers", () => {
  it("streams 512 MiB up and down with flat client memory and intact bytes", {
    timeout: 120_000,
  }, async () => {
    const report = await runChild(SIZE);
    console.info(
      `s3 512 MiB: upload ${report.upMs.toFixed(0)} ms, peak RSS +${report.upPeakMiB.toFixed(1)} MiB; download ${report.downMs.toFixed(0)} ms, peak RSS +${report.downPeakMiB.toFixed(1)} MiB`,
    );
    expect(report.uploadStatus).toBe(200);
    expect(report.downloadBytes).toBe(SIZE);
    expect(report.downloadSha).toBe(report.uploadSha);
    expect(report.upPeakMiB).toBeLessThan(MAX_GROWTH_MIB);
    expect(report.downPeakMiB).toBeLessThan(MAX_GROWTH_MIB);
    // The front saw a streamed, unsigned-payload upload of the full length.
    expect(peer.requests.find((r) => r.method === "PUT")).toMatchObject({
      payloadHash: "UNSIGNED-PAYLOAD",
      status: 200,
    });
  });
});
