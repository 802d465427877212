#!/usr/bin/env node
// Fresh-machine entry point for the README's commands. Runs on Node 20 (the oldest a new user may
// have) and brings everything else into the repository: a supported Node from the npm registry's
// `node` package, pnpm at the pinned version, the workspace's dependencies. Nothing global: tools go
// to .tools/, pnpm's package store to .tools/pnpm-store (unless node_modules already uses another),
// and npm's download cache is a temporary directory there, removed after each install.
//
//   node scripts/bootstrap.mjs <command> [args]   runs scripts/<command>.mjs on the chosen Node
//   SWITCHYARD_NODE=lts|floor|<x.y.z>             forces a bootstrapped Node (CI runs both)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tools = join(root, ".tools");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
export const PNPM_VERSION = pkg.packageManager.split("@")[1];
/** undici 8's floor, from the root package.json's engines. */
export const NODE_FLOOR = pkg.engines.node.replace(/^>=/, "");
/**
 * Used only when the system Node is older than the floor: the latest release of the Active LTS line
 * (26.x became Active LTS on 2026-10-28; 24.x is in maintenance since 2026-10-20).
 */
export const NODE_LTS = "26.10.0";

function log(msg) {
  process.stderr.write(`[switchyard] ${msg}\n`);
}

/** True when `version` (with or without a leading v) is at least `floor`; compares major.minor.patch. */
export function versionAtLeast(version, floor) {
  const a = parseVersion(version);
  const b = parseVersion(floor);
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] > b[i];
  }
  return true;
}

function parseVersion(version) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(version).trim());
  if (!m) throw new Error(`not a Node version: ${JSON.stringify(version)}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * Which Node to run with: `undefined` for the system's, else the exact version to bootstrap.
 * `wanted` is SWITCHYARD_NODE: "lts", "floor" or an exact version; unset means "the system's when it
 * is at least the floor, else the LTS".
 */
export function pickNodeVersion(wanted, systemVersion) {
  const alias = { lts: NODE_LTS, floor: NODE_FLOOR };
  const version = wanted ? (alias[wanted] ?? wanted.replace(/^v/, "")) : undefined;
  if (version === undefined) return versionAtLeast(systemVersion, NODE_FLOOR) ? undefined : NODE_LTS;
  parseVersion(version);
  if (!versionAtLeast(version, NODE_FLOOR)) {
    throw new Error(`SWITCHYARD_NODE=${wanted}: Node ${version} is older than the floor ${NODE_FLOOR}`);
  }
  return systemVersion.replace(/^v/, "") === version ? undefined : version;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/**
 * npm-installs `spec` into .tools/<name>. Installs into a private temporary directory and renames it
 * into place only once `verify` passes, so an interrupted or concurrent bootstrap never leaves a
 * half-installed tool that later runs would trust.
 */
function installTool(name, spec, relBin, verify) {
  const final = join(tools, name);
  const tmp = join(tools, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, "package.json"), "{}\n");
  log(`installing ${spec} into .tools/${name} (from the npm registry)`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const args = [
    "install",
    "--prefix",
    tmp,
    "--save-exact",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    // The `node` package fetches its platform's binary in an install script: a user-level
    // ignore-scripts=true must not leave it empty.
    "--ignore-scripts=false",
    spec,
  ];
  // npm's download cache lives only as long as this install: nothing is left outside .tools/.
  const cache = join(tools, `.tmp-npm-cache-${process.pid}`);
  const env = { ...process.env, npm_config_cache: cache, npm_config_update_notifier: "false" };
  try {
    const status = run(npm, args, { cwd: tmp, env });
    if (status !== 0)
      throw new Error(`npm install ${spec} failed with exit code ${status} (is the npm registry reachable?)`);
    verify(join(tmp, relBin));
    try {
      renameSync(tmp, final);
    } catch (error) {
      // Another bootstrap finished first: keep its copy.
      if (!existsSync(join(final, relBin))) throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
  return join(final, relBin);
}

/** The Node binary to run everything with: the system's when new enough, else a pinned one in .tools/. */
export function ensureNode(wanted = process.env.SWITCHYARD_NODE) {
  const version = pickNodeVersion(wanted, process.version);
  if (version === undefined) return process.execPath;
  const relBin = join("node_modules", "node", "bin", process.platform === "win32" ? "node.exe" : "node");
  const bin = join(tools, `node-${version}`, relBin);
  if (existsSync(bin)) return bin;
  if (!wanted)
    log(`system Node ${process.version} is older than ${NODE_FLOOR}; bootstrapping Node ${version}`);
  return installTool(`node-${version}`, `node@${version}`, relBin, (candidate) => {
    const r = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (r.stdout?.trim() !== `v${version}`) {
      throw new Error(`the installed Node reports ${JSON.stringify(r.stdout?.trim())}, expected v${version}`);
    }
  });
}

/** pnpm's CLI entry (run it with the Node from ensureNode). */
export function ensurePnpm() {
  const relCli = join("node_modules", "pnpm", "bin", "pnpm.cjs");
  const cli = join(tools, `pnpm-${PNPM_VERSION}`, relCli);
  if (existsSync(cli)) return cli;
  return installTool(`pnpm-${PNPM_VERSION}`, `pnpm@${PNPM_VERSION}`, relCli, (candidate) => {
    if (!existsSync(candidate)) throw new Error(`pnpm@${PNPM_VERSION} has no ${relCli}`);
  });
}

/**
 * pnpm's store: the one an existing node_modules was installed from (pnpm refuses to mix stores),
 * else .tools/pnpm-store. SWITCHYARD_PNPM_STORE or npm_config_store_dir override it.
 */
export function storeDir() {
  const chosen = process.env.SWITCHYARD_PNPM_STORE ?? process.env.npm_config_store_dir;
  if (chosen) return chosen;
  try {
    const modules = readFileSync(join(root, "node_modules", ".modules.yaml"), "utf8");
    const m = /"?storeDir"?:\s*"?([^"\n,]+)"?/.exec(modules);
    // .modules.yaml records the versioned subdirectory (…/v10); the setting is its parent.
    if (m?.[1]) return m[1].trim().replace(/[/\\]v\d+$/, "");
  } catch {}
  return join(tools, "pnpm-store");
}

/** The directory with npm's `pnpm` and `pnpx` links for the pnpm CLI at `cli`. */
export function pnpmBinDir(cli) {
  return join(dirname(dirname(dirname(cli))), ".bin");
}

/** The environment every tool runs in: the chosen Node first on PATH, the repo's store and bins. */
export function toolEnv(node, pnpm, extra = {}) {
  return {
    ...process.env,
    // Node first, then `pnpm` itself (turbo looks for it on PATH), then the workspace's tools.
    PATH: [dirname(node), pnpmBinDir(pnpm), join(root, "node_modules", ".bin"), process.env.PATH].join(
      delimiter,
    ),
    npm_config_store_dir: storeDir(),
    SWITCHYARD_NODE_BIN: node,
    SWITCHYARD_PNPM: pnpm,
    TURBO_TELEMETRY_DISABLED: "1",
    ...extra,
  };
}

/** A fingerprint of everything `pnpm install` depends on. */
function depsFingerprint() {
  const hash = createHash("sha256").update(`pnpm@${PNPM_VERSION}\n`);
  const files = ["pnpm-lock.yaml", "pnpm-workspace.yaml", "package.json"];
  for (const dir of ["packages", "apps"]) {
    let entries = [];
    try {
      entries = readdirSync(join(root, dir)).sort();
    } catch {}
    for (const name of entries) files.push(join(dir, name, "package.json"));
  }
  for (const file of files) {
    const path = join(root, file);
    hash.update(`${file}\n`);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest("hex");
}

/** Runs `pnpm install --frozen-lockfile` unless node_modules was installed from these exact inputs. */
export function ensureDeps(node, pnpm) {
  const stamp = join(root, "node_modules", ".switchyard-installed");
  const fingerprint = depsFingerprint();
  if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === fingerprint) return;
  log("installing dependencies (pnpm install --frozen-lockfile)");
  const status = run(node, [pnpm, "install", "--frozen-lockfile"], {
    env: toolEnv(node, pnpm, { npm_config_update_notifier: "false" }),
  });
  if (status !== 0) throw new Error(`pnpm install --frozen-lockfile failed with exit code ${status}`);
  writeFileSync(stamp, `${fingerprint}\n`);
}

function main() {
  const [command = "test", ...rest] = process.argv.slice(2);
  if (command === "--print-tools") {
    // For scripts/pnpm: one line of tab-separated paths.
    const pnpm = ensurePnpm();
    process.stdout.write(`${ensureNode()}\t${pnpm}\t${pnpmBinDir(pnpm)}\t${storeDir()}\n`);
    return;
  }
  const script = join(root, "scripts", `${command}.mjs`);
  if (!/^[a-z][a-z0-9-]*$/.test(command) || !existsSync(script)) {
    log(`unknown command ${command} (expected one of: test, demo, bench)`);
    process.exit(2);
  }
  try {
    const node = ensureNode();
    const pnpm = ensurePnpm();
    ensureDeps(node, pnpm);
    // Milliseconds from this process's start until the command starts: the set-up cost of a run.
    const env = toolEnv(node, pnpm, { SWITCHYARD_BOOTSTRAP_MS: String(Math.round(performance.now())) });
    process.exitCode = run(node, [script, ...rest], { env });
  } catch (error) {
    log(`bootstrap failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
