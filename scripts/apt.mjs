// Installs the Debian packages the tests' real peers need (see packages/testkit), only when missing,
// only as root with apt-get available; otherwise says which are missing: their tests skip outside CI.
// A peer added to the testkit adds its package here.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Debian package -> a program it provides (used when dpkg-query is not there to ask). */
export const TEST_PACKAGES = {
  "docker-registry": "docker-registry",
  nginx: "nginx",
  tinyproxy: "tinyproxy",
  "apache2-utils": "htpasswd",
  skopeo: "skopeo",
};

function log(msg) {
  process.stderr.write(`[switchyard] ${msg}\n`);
}

function onPath(program) {
  const dirs = `${process.env.PATH ?? ""}${delimiter}/usr/sbin${delimiter}/sbin`.split(delimiter);
  return dirs.some((dir) => dir && existsSync(join(dir, program)));
}

/** The packages of `wanted` that are not installed. */
export function missingPackages(wanted = TEST_PACKAGES) {
  const names = Object.keys(wanted);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const format = "-f=${Package} ${db:Status-Status}\\n";
  const q = spawnSync("dpkg-query", ["-W", format, ...names], {
    encoding: "utf8",
  });
  if (q.error) return names.filter((name) => !onPath(wanted[name]));
  const installed = new Set(
    q.stdout
      .split("\n")
      .map((line) => line.trim().split(" "))
      .filter(([, status]) => status === "installed")
      .map(([name]) => name),
  );
  return names.filter((name) => !installed.has(name));
}

function apt(args, logFile) {
  const out = openSync(logFile, "a");
  const r = spawnSync("apt-get", ["-o", "DPkg::Lock::Timeout=300", ...args], {
    stdio: ["ignore", out, out],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    timeout: 600_000,
  });
  return r.error ? 1 : (r.status ?? 1);
}

function tail(file, lines) {
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Makes sure the test packages are installed. Never throws: returns the packages still missing.
 * SWITCHYARD_NO_APT=1 turns installing off.
 */
export function ensureTestPackages(reportsDir) {
  const missing = missingPackages();
  if (missing.length === 0) return [];
  const list = missing.join(" ");
  const hint = `tests that need them skip outside CI (install: apt-get install ${list})`;
  if (process.env.SWITCHYARD_NO_APT === "1") {
    log(`Debian packages missing: ${list}; SWITCHYARD_NO_APT=1 so not installing; ${hint}`);
    return missing;
  }
  if (process.platform !== "linux" || spawnSync("apt-get", ["--version"]).error) {
    log(`Debian packages missing: ${list}; no apt-get on this machine; ${hint}`);
    return missing;
  }
  if (process.getuid?.() !== 0) {
    log(`Debian packages missing: ${list}; not running as root, so not installing; ${hint}`);
    return missing;
  }
  mkdirSync(reportsDir, { recursive: true });
  const logFile = join(reportsDir, "apt.log");
  log(`installing Debian packages for the tests: ${list} (apt-get update, then install; log in ${logFile})`);
  const started = Date.now();
  if (apt(["update"], logFile) !== 0)
    log(`apt-get update failed; trying the install anyway:\n${tail(logFile, 5)}`);
  if (apt(["install", "-y", "--no-install-recommends", ...missing], logFile) !== 0) {
    log(`apt-get install failed:\n${tail(logFile, 10)}`);
  }
  const still = missingPackages();
  if (still.length > 0) log(`still missing after apt-get: ${still.join(" ")}; ${hint}`);
  else log(`installed ${list} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return still;
}
