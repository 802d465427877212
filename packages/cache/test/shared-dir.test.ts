import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import cacache from "cacache";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type Outcome = { status: string; sha256: string }[];
const script = fileURLToPath(new URL("./fixtures/cache-child.ts", import.meta.url));

function child(dir: string, urls: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [script, JSON.stringify({ dir, urls })], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    proc.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`cache child exited ${code}: ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout) as Outcome);
    });
  });
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("a disk cache shared by several processes", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), "sy-cache-shared-"));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves what one process stored to the others, and stays whole when they fill the same key at once", {
    timeout: 90_000,
  }, async () => {
    const body = "shared ".repeat(5000);
    server.route("/shared", { headers: { "cache-control": "max-age=600", etag: '"s"' }, body });
    server.route("/race", { headers: { "cache-control": "max-age=600" }, body: "raced body", delayMs: 100 });
    const url = `${server.origin}/shared`;
    expect(await child(dir, [url])).toEqual([{ status: "miss", sha256: sha(body) }]);
    const readers = await Promise.all([child(dir, [url]), child(dir, [url]), child(dir, [url])]);
    expect(readers.flat()).toEqual(Array(3).fill({ status: "hit", sha256: sha(body) }));
    expect(server.requests.filter((r) => r.url === "/shared")).toHaveLength(1);

    const race = `${server.origin}/race`;
    const racers = await Promise.all([
      child(dir, [race]),
      child(dir, [race]),
      child(dir, [race]),
      child(dir, [race]),
    ]);
    expect(new Set(racers.flat().map((o) => o.sha256))).toEqual(new Set([sha("raced body")]));
    expect(await child(dir, [race])).toEqual([{ status: "hit", sha256: sha("raced body") }]);
    // cacache's own check: every index line and every body is intact.
    const stats = await cacache.verify(dir);
    expect(stats.badContentCount).toBe(0);
    expect(stats.rejectedEntries).toBe(0);
  });
});
