import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureTestPackages, TEST_PACKAGES } from "./apt.mjs";

// Stand-ins for dpkg-query and apt-get on PATH: dpkg-query answers from a state file, apt-get
// records its arguments and "installs" into that state file. The machine's apt is never touched.
let dir;
let env;
const all = Object.keys(TEST_PACKAGES);

function script(name, body) {
  const path = join(dir, "bin", name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-apt-"));
  writeFileSync(join(dir, "installed"), "");
  writeFileSync(join(dir, "calls"), "");
  mkdirSync(join(dir, "bin"));
  script(
    "dpkg-query",
    `shift 2; for p in "$@"; do if grep -qx "$p" "${dir}/installed"; then echo "$p installed"; fi; done`,
  );
  script(
    "apt-get",
    `echo "$*" >> "${dir}/calls"
[ "$1" = "--version" ] && exit 0
shift 2
if [ "$1" = install ]; then shift 3; for p in "$@"; do echo "$p" >> "${dir}/installed"; done; fi`,
  );
  env = { PATH: `${join(dir, "bin")}:/usr/bin:/bin` };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const calls = () => readFileSync(join(dir, "calls"), "utf8").trim().split("\n").filter(Boolean);
const quiet = { log: () => {} };

describe("ensureTestPackages", () => {
  it("runs apt-get update once, then installs only the missing packages", () => {
    writeFileSync(join(dir, "installed"), "nginx\nskopeo\n");
    const still = ensureTestPackages(join(dir, "reports"), { env, uid: 0, ...quiet });
    expect(still).toEqual([]);
    expect(calls()).toEqual([
      "--version",
      "-o DPkg::Lock::Timeout=300 update",
      "-o DPkg::Lock::Timeout=300 install -y --no-install-recommends docker-registry tinyproxy apache2-utils redis-server squid curl",
    ]);
  });

  it("does nothing when everything is installed", () => {
    writeFileSync(join(dir, "installed"), `${all.join("\n")}\n`);
    expect(ensureTestPackages(join(dir, "reports"), { env, uid: 0, ...quiet })).toEqual([]);
    expect(calls()).toEqual([]);
  });

  it("does not install when not root, and says which packages are missing", () => {
    const messages = [];
    const still = ensureTestPackages(join(dir, "reports"), { env, uid: 1000, log: (m) => messages.push(m) });
    expect(still).toEqual(all);
    expect(calls()).toEqual(["--version"]);
    expect(messages.join("\n")).toMatch(
      /not running as root.*docker-registry nginx tinyproxy apache2-utils skopeo redis-server squid curl/,
    );
  });

  it("does not install when SWITCHYARD_NO_APT=1", () => {
    const still = ensureTestPackages(join(dir, "reports"), {
      env: { ...env, SWITCHYARD_NO_APT: "1" },
      uid: 0,
      ...quiet,
    });
    expect(still).toEqual(all);
    expect(calls()).toEqual([]);
  });
});
