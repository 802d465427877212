import { describe, expect, it } from "vitest";
import { runCli } from "../testing/run-cli.ts";

describe.concurrent("--help and usage errors", () => {
  it.each([
    [["--help"], "Usage: demo [command] [options]"],
    [["help", "get"], "Usage: demo get <url>"],
    [["matrix", "--help"], "Usage: demo [matrix] [--seed N]"],
    [["get", "--help"], "Usage: demo get <url>"],
    [["proxy", "-h"], "Usage: demo proxy --target URL"],
  ])("%j prints usage and exits 0", async (args, usage) => {
    const run = await runCli(args);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(usage);
    expect(run.stdout).toContain("Exit codes:");
    expect(run.stderr).toBe("");
  });

  it.each([
    [["frobnicate"], `unknown command "frobnicate"`],
    [["--seed", "x"], "--seed must be a whole number"],
    [["matrix", "--registry", "docker"], "--registry must be auto, cncf or stand-in"],
    [["matrix", "--only", "oci,ftp"], `unknown scenario "ftp"`],
    [["proxy"], "proxy needs --target"],
    [["proxy", "--target", "s3://bucket/x"], "the target is a s3: URL, which needs @switchyard/s3"],
    [["proxy", "--target", "http://127.0.0.1:9/", "--port", "70000"], "--port must be between 0 and 65535"],
  ])("%j exits 2 with a clear message", async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toMatch(/\(see: demo( \w+)? --help\)/);
  });
});
