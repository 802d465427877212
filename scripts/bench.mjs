// `npm run bench`: every workspace package's `bench` script, one package at a time (benchmarks that
// share two cores with each other measure nothing). Arguments go to each bench script.
// Run through scripts/bootstrap.mjs, which picks the Node and installs the dependencies.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Workspace package directories (relative to the root) whose package.json has a `bench` script. */
export function benchPackages() {
  const found = [];
  for (const group of ["packages", "apps"]) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const manifest = join(dir, name, "package.json");
      if (!existsSync(manifest)) continue;
      if (typeof JSON.parse(readFileSync(manifest, "utf8")).scripts?.bench === "string")
        found.push(`${group}/${name}`);
    }
  }
  return found;
}

function main(args) {
  const packages = benchPackages();
  if (packages.length === 0) {
    console.log("bench: no workspace package has a `bench` script yet; nothing was measured");
    return 0;
  }
  const pnpm = process.env.SWITCHYARD_PNPM;
  let failed = 0;
  for (const dir of packages) {
    console.log(`\n=== bench: ${dir} (Node ${process.version})`);
    const pnpmArgs = ["--dir", join(root, dir), "run", "bench", ...args];
    const r = pnpm
      ? spawnSync(process.execPath, [pnpm, ...pnpmArgs], { stdio: "inherit" })
      : spawnSync("pnpm", pnpmArgs, { stdio: "inherit" });
    if (r.error || r.status !== 0) {
      failed += 1;
      console.error(`bench: ${dir} failed (${r.error?.message ?? `exit ${r.status}`})`);
    }
  }
  console.log(`\nbench: ${packages.length - failed} of ${packages.length} packages' benchmarks ran`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
