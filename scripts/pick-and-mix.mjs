// Pick-and-mix, proven from the tarballs a release would upload:
//   1. builds every published package (turbo; cached) and packs it with pnpm, which applies
//      publishConfig exactly as `pnpm publish` does;
//   2. checks each tarball: no workspace:/link:/file: ranges, every exports target present, a 0.x
//      version, and the packages its files import declared exactly (scripts/pick-and-mix-imports.mjs;
//      tests' imports are checked against dev dependencies too);
//   3. for each published package, an empty project in a temp dir OUTSIDE the workspace installs
//      only core's tarball and that package's with npm (their declared dependencies come from the
//      npm registry, cached in .tmp/npm-cache) and runs a usage script against a local server
//      (scripts/pick-and-mix-usage/<name>.mjs); one more project installs all of them and runs every
//      script plus all.mjs, every plugin in one client;
//   4. each plugin template (a private package with a publishConfig: the example plugin) gets the
//      same tarball checks and a project with only core's, testkit's and its own tarball, where
//      its factory serves a request and the conformance suite runs against it (template.mjs).
//
//   ./scripts/pnpm exec node scripts/pick-and-mix.mjs [--no-build] [--only core,retry,...] [--keep]
//
// --no-build packs the dist/ already there (CI builds just before); --only limits the per-package
// projects (the all-packages project always runs); --keep leaves the temp dir for inspection.
import { spawn } from "node:child_process";
import {
  copyFileSync,
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
import { parseArgs } from "node:util";
import { declarationProblems, importedPackages, testImportProblems } from "./pick-and-mix-imports.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const usageDir = join(root, "scripts", "pick-and-mix-usage");

/** The factory a package exports, by the naming rule: `@switchyard/retry-after` -> `retryAfter`. */
export function factoryName(packageName) {
  if (packageName === "@switchyard/core") return "createClient";
  return packageName.replace(/^@[^/]+\//, "").replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

function workspaceManifests(groups) {
  const found = [];
  for (const group of groups) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir).sort()) {
      const file = join(dir, entry, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8"));
      found.push({ dir: join(dir, entry), name: manifest.name, manifest });
    }
  }
  return found;
}

/** Published (non-private) workspace packages under packages/ and apps/: { dir, name, manifest }. */
export function publishedPackages() {
  return workspaceManifests(["packages", "apps"]).filter((p) => !p.manifest.private);
}

/**
 * Plugin templates: private packages under packages/ that carry a publishConfig (the example
 * plugin). Never published from here, but an outside author copies one and publishes it, so its
 * tarball is checked the same way and installed next to core and testkit alone.
 */
export function templatePackages() {
  return workspaceManifests(["packages"]).filter((p) => p.manifest.private && p.manifest.publishConfig);
}

/** Every string target in an `exports` value. */
export function exportTargets(value) {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(exportTargets);
}

/** Problems with a packed manifest and its file list (paths relative to the package root). */
export function tarballProblems(manifest, files) {
  const problems = [];
  const have = new Set(files);
  for (const target of exportTargets(manifest.exports)) {
    if (!target.includes("*") && !have.has(target.replace(/^\.\//, ""))) {
      problems.push(`exports target ${target} is not in the tarball`);
    }
  }
  if (manifest.exports === undefined) problems.push("no exports field");
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|link|file|portal|catalog):/.test(range))
        problems.push(`${field}.${name} is "${range}"`);
    }
  }
  if (!/^0\.\d+\.\d+(-[\w.]+)?$/.test(manifest.version ?? "")) {
    problems.push(`version ${manifest.version} is not 0.x`);
  }
  if (manifest.publishConfig?.exports) problems.push("publishConfig was not applied (packed with npm?)");
  return problems;
}

function listFiles(dir, prefix = "") {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

/** Runs a command; resolves { ok, out, ms } and never rejects. Killed after `timeout` ms. */
function run(cmd, args, { cwd, env = process.env, timeout = 120_000 } = {}) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => {
      out += `\n(killed after ${timeout} ms)`;
      child.kill("SIGKILL");
    }, timeout);
    child.on("error", (error) => {
      out += error.message;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, out, ms: Math.round(performance.now() - started) });
    });
  });
}

/** Maps `items` through `fn` with at most `limit` running at once, keeping order. */
async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const slug = (name) => name.replace(/^@/, "").replace(/\W/g, "_");
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

/** Source files under src/ and test/ that did not become a dist file: the package's tests and test helpers. */
function testSources(pkgDir, tarballFiles) {
  const built = new Set(
    tarballFiles.filter((f) => f.startsWith("dist/") && f.endsWith(".js")).map((f) => f.slice(5, -3)),
  );
  const sources = [];
  for (const sub of ["src", "test"]) {
    const dir = join(pkgDir, sub);
    if (!existsSync(dir)) continue;
    for (const file of listFiles(dir)) {
      if (!/\.[cm]?tsx?$/.test(file) || /\.d\.[cm]?ts$/.test(file)) continue;
      if (sub === "src" && built.has(file.replace(/\.[cm]?tsx?$/, ""))) continue;
      sources.push(join(sub, file));
    }
  }
  return sources;
}

function inspect(pkg, tgz, work, rootManifest) {
  const extracted = join(work, "extracted", slug(pkg.name));
  mkdirSync(extracted, { recursive: true });
  return run("tar", ["-xzf", tgz, "-C", extracted]).then(({ ok, out }) => {
    if (!ok) return { problems: [`tar failed: ${out}`], integrations: [] };
    const packageRoot = join(extracted, "package");
    const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8"));
    const files = listFiles(packageRoot);
    const problems = tarballProblems(manifest, files);
    const code = files
      .filter((f) => /\.(m?js|cjs|d\.[cm]?ts)$/.test(f))
      .map((f) => ({ path: f, text: readFileSync(join(packageRoot, f), "utf8") }));
    const dynamic = [];
    const declared = declarationProblems(manifest, importedPackages(code, dynamic));
    problems.push(...declared.problems);
    // A load whose target the scan cannot see could need an undeclared package: refuse it, so that
    // the check stays exact (a string constant in the same file is followed).
    for (const site of dynamic) problems.push(`loads a module the scan cannot name: ${site}`);
    const tests = testSources(pkg.dir, files).map((f) => ({
      path: f,
      text: readFileSync(join(pkg.dir, f), "utf8"),
    }));
    problems.push(...testImportProblems(pkg.manifest, rootManifest, importedPackages(tests)));
    return { problems, integrations: declared.integrations, manifest };
  });
}

async function install(project, tarballs, npmEnv) {
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "pick-and-mix-project", private: true, type: "module" }, null, 2)}\n`,
  );
  // --ignore-scripts: as in the workspace (pnpm's onlyBuiltDependencies is empty), no install
  // script runs; none of these packages needs one.
  return run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      "--prefer-offline",
      "--ignore-scripts",
      ...tarballs,
    ],
    { cwd: project, env: npmEnv, timeout: 180_000 },
  );
}

async function runUsage(project, name, template = false) {
  copyFileSync(join(usageDir, "serve.mjs"), join(project, "serve.mjs"));
  const own = join(usageDir, `${name.replace(/^@switchyard\//, "")}.mjs`);
  const script = template
    ? join(usageDir, "template.mjs")
    : existsSync(own)
      ? own
      : join(usageDir, "generic.mjs");
  const target = join(project, `usage-${slug(name)}.mjs`);
  copyFileSync(script, target);
  const args = template ? [target, name] : existsSync(own) ? [target] : [target, name, factoryName(name)];
  return run(process.execPath, args, { cwd: project, timeout: 90_000 });
}

async function main() {
  const { values } = parseArgs({
    options: { "no-build": { type: "boolean" }, only: { type: "string" }, keep: { type: "boolean" } },
  });
  const started = performance.now();
  const times = {};
  const failures = [];
  const fail = (what, detail) => {
    failures.push(what);
    console.error(`pick-and-mix: FAIL ${what}${detail ? `\n${detail.trim()}` : ""}`);
  };
  const pnpm = process.env.SWITCHYARD_PNPM ?? process.env.npm_execpath;
  if (!pnpm) {
    console.error("pick-and-mix: run it through ./scripts/pnpm (needs the pinned pnpm)");
    return 2;
  }
  const packages = publishedPackages();
  const templates = templatePackages();
  const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const core = packages.find((p) => p.name === "@switchyard/core");
  if (!core) {
    console.error("pick-and-mix: @switchyard/core is not a published package");
    return 1;
  }
  const known = new Set([...packages, ...templates].map((p) => p.name));
  const only = values.only?.split(",").map((s) => (known.has(s) ? s : `@switchyard/${s}`));
  for (const name of only ?? []) {
    if (![...packages, ...templates].some((p) => p.name === name)) {
      console.error(`pick-and-mix: --only names ${name}, which is not a published package or template`);
      return 2;
    }
  }

  if (!values["no-build"]) {
    const t = performance.now();
    const filters = [...packages, ...templates].map((p) => `--filter=${p.name}`);
    const built = await run(
      process.execPath,
      [pnpm, "exec", "turbo", "run", "build", "--output-logs=errors-only", ...filters],
      {
        cwd: root,
        timeout: 600_000,
      },
    );
    times.build = performance.now() - t;
    if (!built.ok) {
      fail("build", built.out);
      return 1;
    }
  }

  const work = mkdtempSync(join(tmpdir(), "switchyard-pick-and-mix-"));
  const npmEnv = {
    ...process.env,
    npm_config_cache: join(root, ".tmp", "npm-cache"),
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
  try {
    // 1. Pack.
    let t = performance.now();
    const tarballs = new Map();
    await pool([...packages, ...templates], 4, async (pkg) => {
      if (!existsSync(join(pkg.dir, "dist"))) {
        fail(`${pkg.name}: no dist/ to pack (build it, or drop --no-build)`);
        return;
      }
      const dest = join(work, "tarballs", slug(pkg.name));
      mkdirSync(dest, { recursive: true });
      const packed = await run(process.execPath, [pnpm, "pack", "--pack-destination", dest], {
        cwd: pkg.dir,
      });
      const tgz = readdirSync(dest).find((f) => f.endsWith(".tgz"));
      if (!packed.ok || !tgz) fail(`${pkg.name}: pnpm pack`, packed.out);
      else tarballs.set(pkg.name, join(dest, tgz));
    });
    times.pack = performance.now() - t;

    // 2. Inspect each tarball.
    t = performance.now();
    const versions = new Map();
    for (const pkg of [...packages, ...templates]) {
      const tgz = tarballs.get(pkg.name);
      if (!tgz) continue;
      const { problems, integrations, manifest } = await inspect(pkg, tgz, work, rootManifest);
      if (manifest) versions.set(pkg.name, manifest.version);
      for (const problem of problems) fail(`${pkg.name}: ${problem}`);
      if (problems.length === 0) {
        const extra = integrations.length
          ? `; optional peers it does not import: ${integrations.join(", ")}`
          : "";
        console.log(
          `pick-and-mix: ${pkg.name}@${manifest.version}: tarball clean, declares exactly what it imports${extra}`,
        );
      }
    }
    times.inspect = performance.now() - t;
    const coreTgz = tarballs.get(core.name);
    if (!coreTgz) return 1;

    // 3. One project per package (core alone for core), then one with everything.
    t = performance.now();
    const chosen = packages.filter((p) => tarballs.has(p.name) && (!only || only.includes(p.name)));
    const projects = chosen.map((pkg) => ({
      label: pkg.name,
      dir: join(work, "projects", slug(pkg.name)),
      tarballs: pkg.name === core.name ? [coreTgz] : [coreTgz, tarballs.get(pkg.name)],
      scripts: [pkg.name],
    }));
    const published = packages.filter((p) => tarballs.has(p.name)).map((p) => p.name);
    projects.push({
      label: "all packages",
      dir: join(work, "projects", "all"),
      tarballs: published.map((name) => tarballs.get(name)),
      scripts: [...published, "all"],
    });
    const testkitTgz = tarballs.get("@switchyard/testkit");
    for (const template of templates) {
      if (!tarballs.has(template.name) || !testkitTgz || (only && !only.includes(template.name))) continue;
      projects.push({
        label: template.name,
        dir: join(work, "projects", slug(template.name)),
        tarballs: [coreTgz, testkitTgz, tarballs.get(template.name)],
        scripts: [template.name],
        template: true,
      });
    }
    const results = await pool(projects, 3, async (project) => {
      const installed = await install(project.dir, project.tarballs, npmEnv);
      if (!installed.ok) {
        fail(
          `${project.label}: npm install of ${project.tarballs.length} tarball(s) outside the workspace`,
          installed.out,
        );
        return { project, installMs: installed.ms, runMs: 0 };
      }
      let runMs = 0;
      for (const name of project.scripts) {
        const used = await runUsage(project.dir, name, project.template === true);
        runMs += used.ms;
        if (!used.ok) fail(`${project.label}: usage script for ${name}`, used.out);
        else if (project.label !== "all packages") console.log(`pick-and-mix: ${used.out.trim()}`);
      }
      if (project.label === "all packages" && !failures.some((f) => f.startsWith("all packages"))) {
        console.log(
          `pick-and-mix: all ${project.tarballs.length} published tarballs in one project: ${project.scripts.length} usage scripts passed`,
        );
      }
      return { project, installMs: installed.ms, runMs };
    });
    times.projects = performance.now() - t;
    for (const { project, installMs, runMs } of results) {
      const size = project.tarballs.length;
      console.log(
        `pick-and-mix:   ${project.label.padEnd(30)} install ${seconds(installMs).padStart(6)} (${size} tarball${size > 1 ? "s" : ""}), scripts ${seconds(runMs)}`,
      );
    }
  } finally {
    if (values.keep) console.log(`pick-and-mix: kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  const phases = Object.entries(times)
    .map(([k, ms]) => `${k} ${seconds(ms)}`)
    .join(", ");
  console.log(
    `pick-and-mix: ${failures.length === 0 ? "passed" : `${failures.length} problem(s)`} in ${seconds(performance.now() - started)} (${phases})`,
  );
  return failures.length === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main();
