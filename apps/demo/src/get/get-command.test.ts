import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type S3Peer, startS3 } from "@switchyard/test-peers";
import { putStandInArtifact, type StandIn, startStandIn } from "@switchyard/test-peers/oci";
import { freePort } from "@switchyard/testkit/process";
import { generatedBodySha256, startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAIN, runCli } from "../testing/run-cli.ts";

const BIG = { size: 6 * 1024 * 1024, seed: "demo-get" };

describe.concurrent("demo get, end to end against local servers", () => {
  let server: TestServer;
  let s3peer: S3Peer;
  let registry: StandIn;
  let dir: string;
  let deadOrigin: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sy-demo-get-"));
    server = await startTestServer();
    // Paced so a download lasts ~0.5 s: long enough for several progress updates.
    server.route("/files/big.bin", { body: BIG, bytesPerSec: 12 * 1024 * 1024 });
    server.route("/files/slow.bin", { body: { size: 4 * 1024 * 1024 }, bytesPerSec: 256 * 1024 });
    server.route("/flaky.txt", [{ status: 503 }, { status: 503 }, { body: "third time lucky\n" }]);
    server.route("/private.txt", (req, res) => {
      const ok = req.headers.authorization === "Bearer s3cret-t0ken";
      const r = res as ServerResponse;
      r.writeHead(ok ? 200 : 401, { "content-type": "text/plain" });
      r.end(ok ? "private bytes\n" : "no\n");
    });
    server.route("/mirror/pkgs/*", { body: "from the mirror\n" });
    server.route("/cached/fresh.txt", {
      headers: { "cache-control": "max-age=600" },
      body: "cached bytes\n",
    });
    server.route("/cached/etag.txt", (req, res) => {
      const r = res as ServerResponse;
      const headers = { etag: '"c1"', "cache-control": "max-age=0" };
      if (req.headers["if-none-match"] === '"c1"') {
        r.writeHead(304, headers);
        r.end();
      } else {
        r.writeHead(200, headers);
        r.end("cached bytes\n");
      }
    });
    deadOrigin = `http://127.0.0.1:${await freePort()}`;
    s3peer = await startS3({ buckets: ["demo"] });
    await fetch(`${s3peer.upstreamUrl}/demo/data/report.csv`, { method: "PUT", body: "a,b\n1,2\n" });
    registry = await startStandIn();
    registry.auth = "bearer";
    putStandInArtifact(registry, "demo/hello", "1.0", {
      mediaType: "text/plain",
      data: Buffer.from("hello oci\n"),
      title: "hello.txt",
    });
  });

  afterAll(async () => {
    await Promise.all([server?.close(), s3peer?.stop(), registry?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it("downloads to a file and prints plain progress lines when stderr is not a terminal", async () => {
    const out = join(dir, "plain.bin");
    const run = await runCli(["get", `${server.origin}/files/big.bin`, "-o", out]);
    expect(run.code, run.stderr).toBe(0);
    const bytes = await readFile(out);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(generatedBodySha256(BIG));
    expect(run.stderr).not.toContain("\r");
    expect(run.stderr).toMatch(/^progress .* \/ 6\.00 MiB \(\d+%\) .*\/s ETA /m);
    expect(run.stderr).toMatch(/^progress 6\.00 MiB \/ 6\.00 MiB \(100%\)/m);
    expect(run.stderr).toMatch(/^saved .*plain\.bin: 6\.00 MiB in [\d.]+ s \(.*\/s\), HTTP 200$/m);
    expect(run.stdout).toBe("");
  });

  it("draws a progress bar in place on a pseudo-terminal (script -q -c)", async () => {
    const out = join(dir, "tty.bin");
    const run = await runCli(["get", `${server.origin}/files/big.bin`, "-o", out], { tty: true });
    expect(run.code, run.stdout).toBe(0);
    // Under script(1) both streams are the terminal, which script copies to its stdout.
    const redraws = run.stdout.split("\r[").length - 1;
    expect(redraws).toBeGreaterThanOrEqual(3);
    expect(run.stdout).toMatch(/\r\[#{24}\] 100% {2}6\.00 MiB \/ 6\.00 MiB {2}[\d.]+ MiB\/s {2}ETA 0s/);
    expect(run.stdout).toMatch(/\r\[[#.]{24}\] +\d+% {2}[\d.]+ [KM]iB \/ 6\.00 MiB/);
    expect(run.stdout).not.toMatch(/^progress /m);
    expect((await readFile(out)).length).toBe(BIG.size);
  });

  it("retries a flaky host with --retries and shows each retry with --verbose", async () => {
    const out = join(dir, "flaky.txt");
    const run = await runCli(["get", `${server.origin}/flaky.txt`, "-o", out, "--retries", "3", "--verbose"]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(out, "utf8")).toBe("third time lucky\n");
    expect(run.stderr).toMatch(
      /\[retry\] GET http:\/\/127\.0\.0\.1:\d+\/flaky\.txt: attempt 1 failed \(status 503\); attempt 2 in \d+ ms/,
    );
    expect(run.stderr).toMatch(/attempt 2 failed \(status 503\); attempt 3 in/);
    expect(run.stderr).toContain("HTTP 200, 3 attempts");
  });

  it("sends a bearer token with --bearer and shows the credential (not the token) with --verbose", async () => {
    const host = new URL(server.origin).host;
    const out = join(dir, "private.txt");
    const run = await runCli([
      "get",
      `${server.origin}/private.txt`,
      "-o",
      out,
      "--bearer",
      `${host}=s3cret-t0ken`,
      "-v",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(out, "utf8")).toBe("private bytes\n");
    expect(run.stderr).toContain("[auth] GET");
    expect(run.stderr).toContain("bearer credential from store");
    expect(run.stderr).not.toContain("s3cret-t0ken");
  });

  it("fails over from a dead primary to a mirror and says so with --verbose", async () => {
    const out = join(dir, "pkg.tar");
    const mirror = `${deadOrigin}/pkgs=${server.origin}/mirror/pkgs`;
    const run = await runCli(["get", `${deadOrigin}/pkgs/a/pkg.tar`, "-o", out, "--mirror", mirror, "-v"]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(out, "utf8")).toBe("from the mirror\n");
    expect(run.stderr).toMatch(
      /\[mirror\] GET .*: attempt 1 via mirror http:\/\/127\.0\.0\.1:\d+\/mirror\/pkgs/,
    );
    expect(run.stderr).toMatch(/served by mirror/);
  });

  it("reads s3:// through a config file's s3 settings", async () => {
    const config = join(dir, "s3.yaml");
    await writeFile(
      config,
      `plugins:\n  s3:\n    endpoint: ${s3peer.url}\n    region: ${s3peer.region}\n    credentials:\n      accessKeyId: ${s3peer.credentials.accessKeyId}\n      secretAccessKey: ${s3peer.credentials.secretAccessKey}\n`,
    );
    const out = join(dir, "report.csv");
    const run = await runCli(["get", "s3://demo/data/report.csv", "-o", out, "-c", config, "-v"]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(out, "utf8")).toBe("a,b\n1,2\n");
    expect(run.stderr).toMatch(/\[s3\] GET .*: signed for demo in us-east-1/);
    expect(run.stderr).toContain(`served by bucket`);
  });

  it("pulls oci:// with a token exchange, naming the file after the layer title", async () => {
    const run = await runCli(
      [
        "get",
        `oci://${registry.host}/demo/hello:1.0?title=hello.txt`,
        "--insecure-registry",
        registry.host,
        "-v",
      ],
      {
        cwd: dir,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(join(dir, "hello.txt"), "utf8")).toBe("hello oci\n");
    expect(run.stderr).toMatch(
      /\[oci\] token exchange at http:\/\/127\.0\.0\.1:\d+\/token for repository:demo\/hello:pull: 200 \(anonymous\)/,
    );
    expect(run.stderr).toMatch(/\[oci\] .*demo\/hello:1\.0 -> sha256:[0-9a-f]{64}/);
  });

  // Starting a child Node and its first bytes can take seconds beside the rest of the suite.
  it("exits 130 on SIGINT and removes the partial file", { timeout: 60_000 }, async () => {
    const out = join(dir, "slow.bin");
    const child = spawn(process.execPath, [MAIN, "get", `${server.origin}/files/slow.bin`, "-o", out], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    // Wait (bounded: 30 s) until the download has started writing.
    let started = false;
    for (let i = 0; i < 600 && !started; i++) {
      if (
        await stat(`${out}.part`).then(
          (s) => s.size > 0,
          () => false,
        )
      ) {
        started = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(started, "the download never started writing slow.bin.part").toBe(true);
    child.kill("SIGINT");
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(130);
    await expect(stat(`${out}.part`)).rejects.toThrow();
    await expect(stat(out)).rejects.toThrow();
  });

  it("exits 5 and names the package when a scheme's plugin is missing", async () => {
    const run = await runCli(["get", "s3://demo/data/report.csv", "-o", join(dir, "x")]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain("add @switchyard/s3 to the client's middleware");
  });

  it("exits 4 on an HTTP error status and leaves no partial file", async () => {
    const out = join(dir, "missing.txt");
    const run = await runCli(["get", `${server.origin}/missing`, "-o", out]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/answered 404/);
    await expect(readFile(out)).rejects.toThrow();
    await expect(readFile(`${out}.part`)).rejects.toThrow();
  });

  it("with --cache DIR says miss, then hit, then revalidated once the response is stale", {
    timeout: 240_000,
  }, async () => {
    const cacheDir = join(dir, "http-cache");
    const out = join(dir, "cached.txt");
    const get = async (path: string) => {
      const run = await runCli(["get", `${server.origin}${path}`, "--cache", cacheDir, "-o", out]);
      expect(run.code, run.stderr).toBe(0);
      expect(await readFile(out, "utf8")).toBe("cached bytes\n");
      return /cache (hit|miss|revalidated|stale)/.exec(run.stderr)?.[1];
    };
    expect(await get("/cached/fresh.txt")).toBe("miss");
    expect(await get("/cached/fresh.txt")).toBe("hit");
    expect(await get("/cached/etag.txt")).toBe("miss");
    expect(await get("/cached/etag.txt")).toBe("revalidated");
    expect(server.requests.filter((r) => r.url === "/cached/fresh.txt")).toHaveLength(1);
    expect(
      server.requests.filter((r) => r.url === "/cached/etag.txt").map((r) => r.headers["if-none-match"]),
    ).toEqual([undefined, '"c1"']);
  });

  it("exits 3 with the field path on a bad config file", async () => {
    const config = join(dir, "bad.yaml");
    await writeFile(config, "plugins:\n  retry:\n    maxRetries: lots\n");
    const run = await runCli(["get", `${server.origin}/flaky.txt`, "-c", config]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`demo: ${config}: 3:17: plugins.retry.maxRetries: expected number, got "lots"\n`);
  });

  it.each([
    [["get"], "get needs exactly one URL"],
    [["get", "http://127.0.0.1:1/", "--retries", "many"], "--retries must be a whole number"],
    [["get", "http://127.0.0.1:1/", "--with", "retry,nope"], `--with: unknown plugin "nope"`],
    [["get", "http://127.0.0.1:1/", "--bogus"], "Unknown option '--bogus'"],
  ])("exits 2 on a usage error: %j", async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain("(see: demo get --help)");
  });
});
