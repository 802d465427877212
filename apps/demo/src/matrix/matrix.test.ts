import { retry } from "@switchyard/retry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoPeers, startDemoPeers } from "../peers/demo-peers.ts";
import { runCli } from "../testing/run-cli.ts";
import { matrixPlugins } from "./matrix-plugins.ts";
import { runMatrix } from "./run-matrix.ts";

// The proof of the whole project: the README's demo command, run as a user runs it.
describe("the composition matrix (demo main command)", () => {
  it("passes every cell: 128 subsets x 11 scenarios, zero unexpected, under a minute", async () => {
    const run = await runCli(["--seed", "20240601"], { timeoutMs: 120_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("Seed 20240601");
    const summary =
      /^(\d+) cells: (\d+) passed, (\d+) failed as expected, (\d+) unexpected in ([\d.]+) s/m.exec(
        run.stdout,
      );
    expect(summary, run.stdout.slice(-3000)).not.toBeNull();
    const [, cells, passed, expected, unexpected, seconds] = summary!.map(Number);
    expect({ cells, passed, expected, unexpected }).toEqual({
      cells: 1408,
      passed: 736,
      expected: 672,
      unexpected: 0,
    });
    expect(seconds).toBeLessThan(60);
    expect(run.code).toBe(0);
    // One row per subset, 11 marks each, none unexpected.
    const rows = run.stdout.split("\n").filter((line) => /^\s+\d+\s+[✓✗!]/.test(line));
    expect(rows).toHaveLength(128);
    expect(rows.join("\n")).not.toContain("!");
    expect(run.stdout).toContain("add @switchyard/oci to the client's middleware");
    // The run's own bound is the 60 s asserted above; the test's leaves room for a loaded machine's start-up.
  }, 150_000);
});

describe("runMatrix", () => {
  let peers: DemoPeers;
  beforeAll(async () => {
    peers = await startDemoPeers({ registry: "stand-in" });
  });
  afterAll(async () => {
    await peers?.stop();
  });

  it("pulls through the in-process OCI stand-in when the CNCF registry is not used", async () => {
    expect(peers.registry.kind).toBe("stand-in");
    const result = await runMatrix({ seed: 5, peers, plugins: matrixPlugins(peers), scenarios: ["oci"] });
    expect(result.unexpected).toBe(0);
    expect(result.passed).toBe(64);
    expect(result.expected).toBe(64);
  });

  it("flags cells whose plugin is present but does not do the job", async () => {
    // A retry that gives up after one retry cannot get past two 503s: every row with retry breaks.
    const plugins = {
      ...matrixPlugins(peers),
      retry: () => retry({ maxRetries: 1, minDelay: 1, maxDelay: 2 }),
    };
    const result = await runMatrix({ seed: 5, peers, plugins, scenarios: ["flaky"] });
    expect(result.unexpected).toBe(64);
    expect(result.expected).toBe(64);
    const cell = result.cells.flat().find((c) => c.verdict === "unexpected")!;
    expect(cell.detail).toContain("retry is present, but: HTTP 503");
  });

  it("flags a missing plugin's failure that is not the expected clear error", async () => {
    // A middleware that swallows the scheme error would make "no s3" look like something else.
    const plugins = {
      ...matrixPlugins(peers),
      mirror: () => ({
        name: "hides-errors",
        stage: "policy" as const,
        handle: async () => {
          throw new Error("something vague");
        },
      }),
    };
    const result = await runMatrix({ seed: 5, peers, plugins, scenarios: ["s3-get"] });
    const broken = result.cells.flat().filter((c) => c.verdict === "unexpected");
    // The 64 rows with the vague middleware: without s3 the failure is not core's clear error; with s3 it fails anyway.
    expect(broken).toHaveLength(64);
    const details = broken.map((c) => c.detail);
    expect(
      details.filter((d) => d.startsWith("without s3: expected UnsupportedSchemeError, got SwitchyardError")),
    ).toHaveLength(32);
    expect(
      details.filter((d) => d.startsWith("s3 is present, but:") && d.includes("something vague")),
    ).toHaveLength(32);
  });
});
