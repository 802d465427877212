import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), "switchyard-lint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lints one file with the repository's biome.json (outside the repo, so no ignore file applies). */
function lint(source) {
  const config = JSON.parse(readFileSync(join(root, "biome.json"), "utf8"));
  delete config.$schema;
  config.vcs = { enabled: false };
  config.files = { includes: ["**"] };
  writeFileSync(join(dir, "biome.json"), JSON.stringify(config));
  writeFileSync(join(dir, "middleware.ts"), source);
  const biome = join(root, "node_modules", "@biomejs", "biome", "bin", "biome");
  const r = spawnSync(process.execPath, [biome, "lint", "middleware.ts"], { cwd: dir, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("biome.json", () => {
  it("catches an un-awaited next() inside a middleware", () => {
    const result = lint(`type Next = (request: string) => Promise<number>;
export const middleware = {
  name: "floating",
  async handle(request: string, next: Next): Promise<number> {
    next(request);
    return next(request);
  },
};
`);
    expect(result.output).toContain("lint/nursery/noFloatingPromises");
    expect(result.status).not.toBe(0);
  });

  it("accepts the same middleware when it returns next() directly", () => {
    const result = lint(`type Next = (request: string) => Promise<number>;
export const middleware = {
  name: "pass-through",
  handle(request: string, next: Next): Promise<number> {
    return next(request);
  },
};
`);
    expect(result.output).not.toContain("noFloatingPromises");
    expect(result.status).toBe(0);
  });
});
