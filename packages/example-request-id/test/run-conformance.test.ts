import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("./run-conformance.ts", import.meta.url));

describe("the framework-free conformance runner", () => {
  it("runs every check in plain Node, without vitest, and exits 0", () => {
    const run = spawnSync(process.execPath, [script], {
      env: { ...process.env, CONFORMANCE_BODY_MIB: "32" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^8 passed, 0 failed, 1 skipped$/m);
    expect(run.stdout).toContain("pass  no-secret-leak");
    expect(run.status).toBe(0);
  });
});
