// Installs the Debian packages the tests' real peers need (see packages/test-peers), only when missing,
// only as root with apt-get available; otherwise says which are missing: their tests skip outside CI.
// A peer added to packages/test-peers adds its package here.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Debian package -> a program it provides (used when dpkg-query is not there to ask). */
export const TEST_PACKAGES = {
  "docker-registry": "docker-registry",
  nginx: "nginx",
  tinyproxy: "tinyproxy",
  "apache2-utils": "htpasswd",
  skopeo: "skopeo",
  "redis-server": "redis-server",
  squid: "squid",
  curl: "curl",
};

function onPath(program, env) {
  const dirs = `${env.PATH ?? ""}${delimiter}/usr/sbin${delimiter}/sbin`.split(delimiter);
  return dirs.some((dir) => dir && existsSync(join(dir, program)));
}

/** The packages of `wanted` that are not installed. */
export function missingPackages(wanted = TEST_PACKAGES, env = process.env) {
  const names = Object.keys(wanted);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const format = "-f=${Package} ${db:Status-Status}\\n";
  const q = spawnSync("dpkg-query", ["-W", format, ...names], { encoding: "utf8", env });
  if (q.error) return names.filter((name) => !onPath(wanted[name], env));
  const installed = new Set(
    q.stdout
      .split("\n")
      .map((line) => line.trim().split(" "))
      .filter(([, status]) => status === "installed")
      .map(([name]) => name),
  );
  return names.filter((name) => !installed.has(name));
}

function apt(args, logFile, env) {
  const out = openSync(logFile, "a");
  try {
    const r = spawnSync("apt-get", ["-o", "DPkg::Lock::Timeout=300", ...args], {
      stdio: ["ignore", out, out],
      env: { ...env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 600_000,
    });
    return r.error ? 1 : (r.status ?? 1);
  } finally {
    closeSync(out);
  }
}

function tail(file, lines) {
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Makes sure the test packages are installed: `apt-get update` once, then one `apt-get install` of
 * the missing ones. Never throws; returns the packages still missing. SWITCHYARD_NO_APT=1 turns
 * installing off. `options` exist for the tests: the environment (PATH), the user id, the logger.
 */
export function ensureTestPackages(reportsDir, options = {}) {
  const env = options.env ?? process.env;
  const uid = options.uid ?? process.getuid?.();
  const log = options.log ?? ((msg) => process.stderr.write(`[switchyard] ${msg}\n`));
  const missing = missingPackages(TEST_PACKAGES, env);
  if (missing.length === 0) return [];
  const list = missing.join(" ");
  const hint = `tests that need them skip outside CI (install: apt-get install ${list})`;
  if (env.SWITCHYARD_NO_APT === "1") {
    log(`Debian packages missing: ${list}; SWITCHYARD_NO_APT=1 so not installing; ${hint}`);
    return missing;
  }
  if (process.platform !== "linux" || spawnSync("apt-get", ["--version"], { env }).error) {
    log(`Debian packages missing: ${list}; no apt-get on this machine; ${hint}`);
    return missing;
  }
  if (uid !== 0) {
    log(`Debian packages missing: ${list}; not running as root, so not installing; ${hint}`);
    return missing;
  }
  mkdirSync(reportsDir, { recursive: true });
  const logFile = join(reportsDir, "apt.log");
  log(`installing Debian packages for the tests: ${list} (apt-get update, then install; log in ${logFile})`);
  const started = Date.now();
  if (apt(["update"], logFile, env) !== 0) {
    log(`apt-get update failed; trying the install anyway:\n${tail(logFile, 5)}`);
  }
  if (apt(["install", "-y", "--no-install-recommends", ...missing], logFile, env) !== 0) {
    log(`apt-get install failed:\n${tail(logFile, 10)}`);
  }
  const still = missingPackages(TEST_PACKAGES, env);
  if (still.length > 0) log(`still missing after apt-get: ${still.join(" ")}; ${hint}`);
  else log(`installed ${list} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return still;
}
