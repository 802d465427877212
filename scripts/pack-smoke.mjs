// Pick-and-mix is real: for each published plugin, an empty project that installs only that
// plugin's tarball and core's (with npm, from the packed files, as a user would) can import it and
// finds its factory. Catches a dependency used but not declared, a peer range core does not meet,
// or a dist that imports something the tarball lacks. Run after `./scripts/pnpm build`:
//   ./scripts/pnpm exec node scripts/pack-smoke.mjs
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** The factory a plugin package exports, by the naming rule: `@switchyard/retry-after` -> `retryAfter`. */
export function factoryName(packageName) {
  if (packageName === "@switchyard/core") return "createClient";
  return packageName.replace(/^@switchyard\//, "").replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/**
 * What to import from a package: its name for the "." entry (which must export the factory), and
 * `name/sub` for each subpath entry (which must load). Subpath patterns are left out.
 */
export function entryPoints(manifest) {
  const exportsField = manifest.publishConfig?.exports ?? manifest.exports;
  const keys =
    typeof exportsField === "object" && exportsField !== null && Object.keys(exportsField)[0]?.startsWith(".")
      ? Object.keys(exportsField)
      : ["."];
  return keys
    .filter((key) => !key.includes("*"))
    .map((key) =>
      key === "."
        ? { specifier: manifest.name, factory: factoryName(manifest.name) }
        : { specifier: `${manifest.name}/${key.replace(/^\.\//, "")}` },
    );
}

/** Published (non-private) workspace packages: { dir, name, manifest }. */
export function publishedPackages() {
  const dir = join(root, "packages");
  const found = [];
  for (const entry of readdirSync(dir).sort()) {
    const manifest = join(dir, entry, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8"));
    if (!pkg.private) found.push({ dir: join(dir, entry), name: pkg.name, manifest: pkg });
  }
  return found;
}

function sh(cmd, args, cwd, env = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8" });
  return {
    ok: !r.error && r.status === 0,
    out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error?.message ?? ""}`,
  };
}

function main() {
  const pnpm = process.env.SWITCHYARD_PNPM ?? process.env.npm_execpath;
  const work = mkdtempSync(join(tmpdir(), "switchyard-smoke-"));
  const npmEnv = {
    ...process.env,
    npm_config_cache: join(work, "npm-cache"),
    npm_config_update_notifier: "false",
  };
  const packages = publishedPackages();
  let failed = 0;
  try {
    const tarballs = new Map();
    const manifests = new Map(packages.map((p) => [p.name, p.manifest]));
    for (const { dir, name } of packages) {
      if (!existsSync(join(dir, "dist"))) {
        console.error(`pack-smoke: ${name}: no dist/ (run ./scripts/pnpm build first)`);
        failed += 1;
        continue;
      }
      const dest = join(work, "tarballs", name.replace(/\W/g, "_"));
      mkdirSync(dest, { recursive: true });
      const packed = sh(process.execPath, [pnpm, "pack", "--pack-destination", dest], dir);
      const tgz = readdirSync(dest).find((f) => f.endsWith(".tgz"));
      if (!packed.ok || !tgz) {
        console.error(`pack-smoke: ${name}: pnpm pack failed\n${packed.out}`);
        failed += 1;
        continue;
      }
      tarballs.set(name, join(dest, tgz));
    }
    const core = tarballs.get("@switchyard/core");
    if (!core) {
      console.error("pack-smoke: no @switchyard/core tarball; nothing to install plugins with");
      return 1;
    }
    for (const [name, tgz] of tarballs) {
      const project = join(work, `project-${name.replace(/\W/g, "_")}`);
      mkdirSync(project);
      writeFileSync(join(project, "package.json"), '{ "private": true, "type": "module" }\n');
      const specs = name === "@switchyard/core" ? [core] : [core, tgz];
      const installed = sh(
        "npm",
        ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline", ...specs],
        project,
        npmEnv,
      );
      if (!installed.ok) {
        console.error(
          `pack-smoke: ${name}: npm install of ${specs.length} tarball(s) failed\n${installed.out}`,
        );
        failed += 1;
        continue;
      }
      const entries = entryPoints(manifests.get(name));
      const check = entries
        .map(({ specifier, factory }) =>
          factory
            ? `{ const m = await import(${JSON.stringify(specifier)});
  if (typeof m[${JSON.stringify(factory)}] !== "function") throw new Error("${specifier} has no function export ${factory}; it exports " + Object.keys(m).join(", ")); }`
            : `await import(${JSON.stringify(specifier)});`,
        )
        .join("\n");
      const imported = sh(process.execPath, ["--input-type=module", "-e", check], project);
      if (!imported.ok) {
        console.error(
          `pack-smoke: ${name}: importing it in a project with only core failed\n${imported.out}`,
        );
        failed += 1;
        continue;
      }
      const what = entries.map((e) => (e.factory ? `${e.factory}()` : e.specifier)).join(", ");
      console.log(`pack-smoke: ${name}: installs next to core alone; imports ${what}`);
    }
    console.log(`pack-smoke: ${packages.length - failed} of ${packages.length} packages passed`);
    return failed === 0 ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
