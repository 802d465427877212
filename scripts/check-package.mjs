// Publish checks for one package, run by its `build` script after `tsc` wrote dist:
//   node ../../scripts/check-package.mjs
// Packs the package with pnpm (which applies publishConfig, as `pnpm publish` will), then checks
// that tarball, the very file a release would upload:
//   - publint (strict: warnings fail too);
//   - are-the-types-wrong, profile esm-only (the packages are ESM-only; CommonJS require of them is
//     not offered, so node10 and node16-from-CJS resolutions are not judged);
//   - every `exports` target is in the tarball, no `workspace:`/`link:`/`file:` ranges are left,
//     `engines.node` is the repository's floor, the README is there, and nothing in dist/ is left
//     over from a source file that no longer exists.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pkgDir = process.cwd();

/** Every string target in an `exports` value, with the condition path that leads to it. */
export function exportTargets(exportsField, path = []) {
  if (typeof exportsField === "string") return [{ path: path.join(" > ") || ".", target: exportsField }];
  if (exportsField === null || typeof exportsField !== "object") return [];
  if (Array.isArray(exportsField)) return exportsField.flatMap((entry) => exportTargets(entry, path));
  return Object.entries(exportsField).flatMap(([key, value]) => exportTargets(value, [...path, key]));
}

/** Problems with a packed manifest and its file list (paths relative to the package root). */
export function manifestProblems(manifest, files, floor) {
  const problems = [];
  const have = new Set(files);
  for (const { path, target } of exportTargets(manifest.exports)) {
    if (target.includes("*")) continue; // subpath patterns: publint checks those
    const file = target.replace(/^\.\//, "");
    if (!have.has(file)) problems.push(`exports ${path} -> ${target} is not in the tarball`);
    if (/(?<!\.d)\.[cm]?ts$/.test(file))
      problems.push(`exports ${path} -> ${target} points at TypeScript source`);
  }
  for (const field of ["main", "module", "types", "typings"]) {
    const target = manifest[field];
    if (typeof target === "string" && !have.has(target.replace(/^\.\//, ""))) {
      problems.push(`${field} -> ${target} is not in the tarball`);
    }
  }
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|link|file|portal):/.test(range)) problems.push(`${field}.${name} is ${range}`);
    }
  }
  if (manifest.engines?.node !== `>=${floor}`) {
    problems.push(`engines.node is ${JSON.stringify(manifest.engines?.node)}, expected ">=${floor}"`);
  }
  if (!files.some((f) => /^readme(\.md)?$/i.test(f))) problems.push("no README.md in the tarball");
  if (manifest.private) problems.push("the package is private: it must not be published");
  return problems;
}

/** Tarball files under dist/ that no file under src/ compiles to: leftovers of a renamed source. */
export function staleOutputs(files, srcFiles) {
  const sources = new Set(srcFiles.map((f) => f.replace(/\.[cm]?tsx?$/, "")));
  return files.filter((f) => {
    const m = /^dist\/(.+?)(\.d)?\.[cm]?js(\.map)?$|^dist\/(.+?)\.d\.[cm]?ts(\.map)?$/.exec(f);
    const stem = m?.[1] ?? m?.[4];
    return stem !== undefined && !sources.has(stem);
  });
}

function listFiles(dir, prefix = "") {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

function run(label, cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: pkgDir, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) console.error(`check-package: ${label} failed (exit ${r.status})`);
  return r.status === 0;
}

function main() {
  const floor = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines.node.replace(/^>=/, "");
  const name = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).name;
  const work = mkdtempSync(join(tmpdir(), "switchyard-pack-"));
  try {
    // pnpm, not npm: only pnpm applies publishConfig.exports when packing.
    const pnpm = process.env.npm_execpath ?? process.env.SWITCHYARD_PNPM;
    const packArgs = ["pack", "--pack-destination", work];
    const packed = pnpm?.endsWith(".cjs")
      ? spawnSync(process.execPath, [pnpm, ...packArgs], { cwd: pkgDir, encoding: "utf8" })
      : spawnSync("pnpm", packArgs, { cwd: pkgDir, encoding: "utf8" });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (packed.status !== 0 || !tarball) {
      console.error(`check-package: pnpm pack failed\n${packed.stdout ?? ""}${packed.stderr ?? ""}`);
      return 1;
    }
    const tgz = join(work, tarball);
    const bin = (pkg, rel) => join(root, "node_modules", pkg, rel);
    let ok = run("publint", process.execPath, [bin("publint", "src/cli.js"), "run", tgz, "--strict"]);
    ok =
      run("attw", process.execPath, [
        bin("@arethetypeswrong/cli", "dist/index.js"),
        tgz,
        "--profile",
        "esm-only",
      ]) && ok;

    if (!run("tar", "tar", ["-xzf", tgz, "-C", work])) return 1;
    const packageRoot = join(work, "package");
    const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8"));
    const files = listFiles(packageRoot);
    const problems = manifestProblems(manifest, files, floor);
    const srcDir = join(pkgDir, "src");
    for (const file of staleOutputs(files, existsSync(srcDir) ? listFiles(srcDir) : [])) {
      problems.push(`${file} comes from no file in src/ (stale build output: delete dist and rebuild)`);
    }
    for (const problem of problems) console.error(`check-package: ${name}: ${problem}`);
    ok = ok && problems.length === 0;
    console.log(
      `check-package: ${name}: ${ok ? "publish checks passed" : "publish checks FAILED"} (${tarball})`,
    );
    return ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(pkgDir, "package.json"))) {
    console.error("check-package: run it from a package directory");
    process.exitCode = 2;
  } else {
    process.exitCode = main();
  }
}
