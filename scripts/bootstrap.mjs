#!/usr/bin/env node
// Fresh-machine entry point for the README's commands. Runs on Node 20 (the oldest a new user may
// have) and brings everything else into the repository: a supported Node from the npm registry's
// `node` package, pnpm at the pinned version, the workspace's dependencies. Nothing global.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tools = join(root, ".tools");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const PNPM_VERSION = pkg.packageManager.split("@")[1];
const NODE_FLOOR = pkg.engines.node.replace(/^>=/, "");
// Used only when the system Node is older than the floor: the current LTS line.
export const NODE_LTS = "24.21.0";

function log(msg) {
  process.stderr.write(`[switchyard] ${msg}\n`);
}

function versionAtLeast(version, floor) {
  const a = version.replace(/^v/, "").split(".").map(Number);
  const b = floor.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function npmInstallTool(dir, spec) {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "package.json"))) writeFileSync(join(dir, "package.json"), "{}\n");
  log(`installing ${spec} into ${dir.slice(root.length + 1)} (from the npm registry)`);
  const status = run(
    process.platform === "win32" ? "npm.cmd" : "npm",
    ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", spec],
    { cwd: dir },
  );
  if (status !== 0) throw new Error(`npm install ${spec} failed with exit code ${status}`);
}

/** The Node binary to run everything with: the system's when new enough, else a pinned one. */
export function ensureNode(wanted = process.env.SWITCHYARD_NODE) {
  if (!wanted && versionAtLeast(process.version, NODE_FLOOR)) return process.execPath;
  const version = wanted ?? NODE_LTS;
  if (!versionAtLeast(version, NODE_FLOOR)) throw new Error(`Node ${version} is older than the floor ${NODE_FLOOR}`);
  const dir = join(tools, `node-${version}`);
  const bin = join(dir, "node_modules", "node", "bin", "node");
  if (!existsSync(bin)) npmInstallTool(dir, `node@${version}`);
  return bin;
}

export function ensurePnpm() {
  const dir = join(tools, `pnpm-${PNPM_VERSION}`);
  const cli = join(dir, "node_modules", "pnpm", "bin", "pnpm.cjs");
  if (!existsSync(cli)) npmInstallTool(dir, `pnpm@${PNPM_VERSION}`);
  return cli;
}

/** Installs the workspace's dependencies when the lockfile changed since the last install. */
export function ensureDeps(node, pnpm) {
  const stamp = join(root, "node_modules", ".switchyard-installed");
  const lock = join(root, "pnpm-lock.yaml");
  const fresh = existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(lock).mtimeMs;
  if (fresh) return;
  log("installing dependencies (pnpm install --frozen-lockfile)");
  const status = run(node, [pnpm, "install", "--frozen-lockfile"], { env: pathEnv(node) });
  if (status !== 0) throw new Error(`pnpm install failed with exit code ${status}`);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

export function pathEnv(node, extra = {}) {
  const bin = dirname(node);
  return { ...process.env, PATH: `${bin}:${join(root, "node_modules", ".bin")}:${process.env.PATH}`, ...extra };
}

function main() {
  const [command = "test", ...rest] = process.argv.slice(2);
  const node = ensureNode();
  const pnpm = ensurePnpm();
  ensureDeps(node, pnpm);
  const script = join(root, "scripts", `${command}.mjs`);
  if (!existsSync(script)) {
    log(`unknown command ${command}`);
    process.exit(2);
  }
  process.exit(run(node, [script, ...rest], { env: pathEnv(node, { SWITCHYARD_PNPM: pnpm }) }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
