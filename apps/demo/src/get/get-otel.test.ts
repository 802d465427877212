import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../testing/run-cli.ts";

describe("demo get --otel", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sy-demo-otel-"));
    server = await startTestServer();
    server.route("/flaky.txt", [{ status: 503 }, { status: 503 }, { body: "third time lucky\n" }]);
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the call's span and one span per attempt with the console exporter", async () => {
    const out = join(dir, "flaky.txt");
    const run = await runCli([
      "get",
      `${server.origin}/flaky.txt`,
      "--retries",
      "2",
      "--otel",
      "-o",
      out,
      "-q",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(out, "utf8")).toBe("third time lucky\n");
    // Top-level fields of each printed span are indented by two spaces; the parent's are deeper.
    const traceIds = [...run.stdout.matchAll(/^ {2}traceId: '([0-9a-f]{32})'/gm)].map((m) => m[1]);
    const spanIds = [...run.stdout.matchAll(/^ {2}id: '([0-9a-f]{16})'/gm)].map((m) => m[1]);
    const parents = [...run.stdout.matchAll(/^ {4}spanId: '([0-9a-f]{16})'/gm)].map((m) => m[1]);
    expect(traceIds).toHaveLength(4);
    expect(new Set(traceIds).size).toBe(1);
    // Three attempts, each the child of the call span (printed last: it ends last).
    expect(parents).toEqual([spanIds[3], spanIds[3], spanIds[3]]);
    expect(run.stdout).toContain("'http.request.resend_count': 2");
    expect(run.stdout).toContain("'switchyard.attempts': 3");
  });

  it("refuses --otel with -o - (spans and the body would share stdout)", async () => {
    const run = await runCli(["get", `${server.origin}/flaky.txt`, "--otel", "-o", "-"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--otel prints spans on stdout");
  });
});
