import { peerAvailable } from "@switchyard/test-peers";
import { describe, expect, it } from "vitest";
import { runCli } from "../testing/run-cli.ts";
import { renderFleetTable } from "./render-fleet.ts";

describe("demo fleet", () => {
  it("renders one column per run, n/a for a run that could not happen", () => {
    const text = renderFleetTable(
      8,
      [
        {
          label: "per-process",
          early: 7,
          inFlight: 1,
          announced: 2,
          tokenExchanges: 8,
          deadMirrorRequests: 7,
          requests: 100,
          failed: 0,
          wallMs: 4100,
        },
        {
          label: "sqlite",
          early: 0,
          inFlight: 1,
          announced: 2,
          tokenExchanges: 1,
          deadMirrorRequests: 0,
          requests: 100,
          failed: 0,
          wallMs: 4200,
        },
        { label: "redis", skipped: "redis-server is not installed" },
      ],
      true,
    );
    expect(text).toMatch(/token exchanges for the one scope\s+8\s+1\s+n\/a/);
    expect(text).toMatch(/wall time\s+4\.1 s\s+4\.2 s\s+n\/a/);
    expect(text).toContain("redis: not run (redis-server is not installed)");
  });

  it("prints its help", async () => {
    const run = await runCli(["fleet", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: demo fleet");
  });

  it("runs two workers three times: no request fails, and a shared store makes one token exchange", async () => {
    const run = await runCli(["fleet", "--workers", "2", "--seconds", "1", "--json"], { timeoutMs: 170_000 });
    expect(run.code, run.stderr).toBe(0);
    const { rows } = JSON.parse(run.stdout) as {
      rows: {
        label: string;
        skipped?: string;
        failed?: number;
        tokenExchanges?: number;
        pulledOk?: number;
      }[];
    };
    expect(rows.map((r) => r.label)).toEqual(["per-process", "sqlite", "redis"]);
    for (const row of rows.filter((r) => r.skipped === undefined)) expect(row.failed, row.label).toBe(0);
    if (peerAvailable("registry")) {
      expect(rows[0]?.tokenExchanges).toBe(2);
      expect(rows[1]?.tokenExchanges).toBe(1);
      for (const row of rows.filter((r) => r.skipped === undefined)) expect(row.pulledOk, row.label).toBe(2);
    }
  }, 180_000);
});
