// The release: `changeset version` (versions + CHANGELOG.md entries from .changeset/*.md), the build
// with its publish checks, a commit, `pnpm -r publish` (which applies publishConfig and replaces
// workspace: ranges), then `changeset tag`.
//
//   ./scripts/pnpm release             a real release, from a clean tree on main, logged in to npm
//   ./scripts/pnpm release --dry-run   the same steps in a temporary copy of the tree; publishes nothing
//                                      (--keep leaves the copy for inspection)
//   ./scripts/pnpm version-packages    only `changeset version`, here (to review before a release)
//
// The dry run never writes to a registry: the copy is versioned there (the tree here is left as
// it is, its changesets still pending), `pnpm -r publish` runs with --dry-run, and the registry is
// set to a closed port on 127.0.0.1 so that even a bug in this script could not upload anything.
// It packs what would be published, from the dist/ already built (`./scripts/pnpm build` first).
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Workspace package directories (relative to the root) with their manifests. */
export function workspacePackages(base = root) {
  const found = [];
  for (const group of ["packages", "apps"]) {
    const dir = join(base, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir).sort()) {
      const file = join(dir, entry, "package.json");
      if (existsSync(file))
        found.push({ dir: `${group}/${entry}`, manifest: JSON.parse(readFileSync(file, "utf8")) });
    }
  }
  return found;
}

/**
 * A CHANGELOG.md with no version entry yet holds only a placeholder ("Unreleased"). `changeset
 * version` inserts its entry below the first line and would leave the placeholder under the
 * first release, so it is reduced to its title first. Returns the new text, or undefined if the
 * file already has a version entry and must be left alone.
 */
export function withoutPlaceholder(changelog) {
  if (/^#{1,6}\s+\d+\.\d+/m.test(changelog)) return undefined;
  const title = changelog.split("\n", 1)[0];
  return `${title}\n`;
}

/** "name@version (N files, S kB unpacked)" from `pnpm publish --dry-run --json` output. */
export function summarizePack(out, fallback) {
  try {
    const parsed = JSON.parse(out.slice(out.indexOf("{"), out.lastIndexOf("}") + 1));
    // npm prints the summary keyed by package name; older versions print it bare.
    const info = parsed.name ? parsed : Object.values(parsed)[0];
    const kb = ((info.unpackedSize ?? 0) / 1024).toFixed(0);
    return `${info.name}@${info.version} (${info.files?.length ?? "?"} files, ${kb} kB unpacked)`;
  } catch {
    return fallback;
  }
}

/**
 * Problems with the ranges a packed manifest puts on sibling packages (`versions`: name -> the
 * version this release gives it): a workspace:/link:/file: range left, or a range that does not
 * admit the sibling's new version (only the forms pnpm writes are understood: exact, ^, ~).
 */
export function siblingRangeProblems(manifest, versions) {
  const problems = [];
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|link|file):/.test(range)) {
        problems.push(`${field}.${name} is "${range}"`);
        continue;
      }
      const version = versions.get(name);
      if (version === undefined) continue;
      if (!admits(range, version)) problems.push(`${field}.${name} is "${range}", which excludes ${version}`);
    }
  }
  return problems;
}

function admits(range, version) {
  const m = /^([\^~]?)(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m || !v) return false;
  const [want, have] = [m.slice(2).map(Number), v.slice(1).map(Number)];
  const cmp = have[0] - want[0] || have[1] - want[1] || have[2] - want[2];
  if (m[1] === "") return cmp === 0;
  if (cmp < 0) return false;
  if (m[1] === "~") return have[0] === want[0] && have[1] === want[1];
  // ^: the left-most non-zero part is fixed (^0.2.0 admits 0.2.x only).
  if (want[0] !== 0) return have[0] === want[0];
  if (want[1] !== 0) return have[0] === 0 && have[1] === want[1];
  return have[0] === 0 && have[1] === 0 && have[2] === want[2];
}

function sh(cmd, args, { cwd = root, env = process.env, capture = false } = {}) {
  const r = spawnSync(cmd, args, { cwd, env, stdio: capture ? "pipe" : "inherit", encoding: "utf8" });
  if (r.error) throw r.error;
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function must(label, result) {
  if (!result.ok) {
    if (result.out) process.stderr.write(result.out);
    throw new Error(`release: ${label} failed`);
  }
  return result;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Copies the tree git would see (tracked and untracked-but-not-ignored files) plus each package's dist/. */
function copyTree(dest) {
  const listed = must(
    "git ls-files",
    sh("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { capture: true }),
  );
  for (const file of listed.out.split("\0").filter(Boolean)) {
    const from = join(root, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(from, join(dest, file));
  }
  for (const { dir } of workspacePackages()) {
    if (existsSync(join(root, dir, "dist")))
      cpSync(join(root, dir, "dist"), join(dest, dir, "dist"), { recursive: true });
  }
}

function resetPlaceholders(base) {
  for (const { dir } of workspacePackages(base)) {
    const file = join(base, dir, "CHANGELOG.md");
    if (!existsSync(file)) continue;
    const reduced = withoutPlaceholder(readFileSync(file, "utf8"));
    if (reduced !== undefined) writeFileSync(file, reduced);
  }
}

function changeset(args, cwd) {
  return sh(process.execPath, [join(root, "node_modules", "@changesets", "cli", "bin.js"), ...args], { cwd });
}

async function main() {
  const { values } = parseArgs({
    options: {
      "dry-run": { type: "boolean" },
      "version-only": { type: "boolean" },
      keep: { type: "boolean" },
    },
  });
  const dryRun = values["dry-run"] === true;
  const versionOnly = values["version-only"] === true && !dryRun;
  const pnpm = process.env.SWITCHYARD_PNPM ?? process.env.npm_execpath;
  if (!pnpm) throw new Error("release: run it through ./scripts/pnpm (it needs the pinned pnpm)");

  const before = new Map(workspacePackages().map(({ dir, manifest }) => [dir, manifest]));
  for (const [dir, manifest] of before) {
    if (dryRun && !manifest.private && !existsSync(join(root, dir, "dist")))
      throw new Error(`release: ${dir} has no dist/: run ./scripts/pnpm build first`);
  }

  let cwd = root;
  let work;
  if (dryRun) {
    work = mkdtempSync(join(tmpdir(), "switchyard-release-"));
    console.log(`release (dry run): versioning a copy of the tree in ${work}`);
    copyTree(work);
    cwd = work;
    // pnpm replaces workspace: ranges with the versions it finds installed, and changeset loads its
    // changelog generator from node_modules: the copy gets its own, offline from the local store.
    must(
      "pnpm install --offline in the copy",
      sh(process.execPath, [pnpm, "install", "--offline", "--frozen-lockfile", "--ignore-scripts"], {
        cwd,
        capture: true,
      }),
    );
  } else if (!versionOnly) {
    const status = must("git status", sh("git", ["status", "--porcelain"], { capture: true }));
    if (status.out.trim() !== "")
      throw new Error("release: the working tree is not clean; commit or stash first");
  }

  try {
    // Read-only, and it needs git (it compares with the base branch): run here, not in the copy.
    must("changeset status", changeset(["status", "--verbose"], root));
    resetPlaceholders(cwd);
    must("changeset version", changeset(["version"], cwd));

    const after = new Map(workspacePackages(cwd).map(({ dir, manifest }) => [dir, manifest]));
    const bumps = [];
    for (const [dir, manifest] of after) {
      const old = before.get(dir)?.version;
      if (manifest.private && old !== manifest.version) {
        throw new Error(
          `release: private package ${manifest.name} was versioned (${old} -> ${manifest.version})`,
        );
      }
      if (!manifest.private) {
        if (!existsSync(join(cwd, dir, "CHANGELOG.md")))
          throw new Error(`release: ${dir} has no CHANGELOG.md`);
        bumps.push(`${manifest.name} ${old} -> ${manifest.version}`);
      }
    }
    console.log(`release: versions\n  ${bumps.join("\n  ")}`);
    const left = readdirSync(join(cwd, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md");
    if (left.length > 0)
      console.log(`release: changesets not consumed (private packages): ${left.join(", ")}`);

    if (versionOnly) {
      console.log("release: versioned; review and commit, then ./scripts/pnpm release publishes");
      return 0;
    }
    if (dryRun) {
      // One `pnpm publish --dry-run` per package rather than `pnpm -r publish --dry-run`: the
      // recursive form first asks the registry which versions exist, and this run must need no
      // registry at all. Packing, publishConfig and the workspace: replacement are the same.
      const registry = `http://127.0.0.1:${await closedPort()}/`;
      // fetch-retries 0: npm's login check in a dry run fails at once on the closed port instead of
      // retrying for a minute.
      const env = { ...process.env, npm_config_registry: registry, npm_config_fetch_retries: "0" };
      const versions = new Map([...after.values()].map((m) => [m.name, m.version]));
      const packs = join(work, ".packs");
      for (const [dir, manifest] of after) {
        if (manifest.private) continue;
        // The manifest a user would get: no workspace: range left, and each range on a sibling
        // package admits the version this release gives it.
        must(
          "pnpm pack",
          sh(process.execPath, [pnpm, "pack", "--pack-destination", packs], {
            cwd: join(cwd, dir),
            capture: true,
          }),
        );
        const tgz = join(
          packs,
          `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`,
        );
        const packedManifest = JSON.parse(
          must("tar", sh("tar", ["-xzOf", tgz, "package/package.json"], { capture: true })).out,
        );
        const problems = siblingRangeProblems(packedManifest, versions);
        if (problems.length > 0) throw new Error(`release: ${manifest.name}: ${problems.join("; ")}`);
        const args = [
          "publish",
          "--dry-run",
          "--no-git-checks",
          "--access",
          "public",
          "--registry",
          registry,
        ];
        const published = must(
          `pnpm publish --dry-run (${manifest.name})`,
          sh(process.execPath, [pnpm, ...args, "--json"], { cwd: join(cwd, dir), env, capture: true }),
        );
        console.log(`release (dry run): would publish ${summarizePack(published.out, manifest.name)}`);
      }
      console.log("release (dry run): done; nothing was published and this tree is unchanged");
      return 0;
    }

    must("build with the publish checks", sh(process.execPath, [pnpm, "exec", "turbo", "run", "build"]));
    const changed = must("git status", sh("git", ["status", "--porcelain", "-z"], { capture: true }))
      .out.split("\0")
      .filter(Boolean)
      .map((line) => line.slice(3));
    // The tree was clean: everything changed now is changeset's (versions, changelogs, consumed
    // changesets). Nothing changed means an earlier `version-packages` was committed already.
    if (changed.length > 0) {
      must("git add", sh("git", ["add", "--", ...changed]));
      must("git commit", sh("git", ["commit", "-m", `Release: ${bumps.join(", ")}`, "--", ...changed]));
    }
    // pnpm -r publish skips versions the registry already has, so a failed release can be re-run.
    must("pnpm -r publish", sh(process.execPath, [pnpm, "-r", "publish", "--access", "public"]));
    must("changeset tag", changeset(["tag"], root));
    console.log("release: published; push the commit and tags: git push --follow-tags");
    return 0;
  } finally {
    if (work && values.keep) console.log(`release (dry run): kept ${work}`);
    else if (work) rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main();
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
