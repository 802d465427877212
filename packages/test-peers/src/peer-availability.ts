import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Debian packages that provide the real peers; the bootstrap installs them. */
export const DEBIAN_PACKAGES = {
  registry: "docker-registry",
  nginx: "nginx",
  tinyproxy: "tinyproxy",
  htpasswd: "apache2-utils",
  skopeo: "skopeo",
  squid: "squid",
  curl: "curl",
  redis: "redis-server",
  redisCli: "redis-server",
} as const;

/** A peer whose binary comes from a Debian package. */
export type PeerName = keyof typeof DEBIAN_PACKAGES;

/** Where Debian installs each peer's binary, and the binary's name to search on PATH otherwise. */
const BINARIES: Record<PeerName, { path: string; name: string }> = {
  registry: { path: "/usr/bin/docker-registry", name: "docker-registry" },
  nginx: { path: "/usr/sbin/nginx", name: "nginx" },
  tinyproxy: { path: "/usr/bin/tinyproxy", name: "tinyproxy" },
  htpasswd: { path: "/usr/bin/htpasswd", name: "htpasswd" },
  skopeo: { path: "/usr/bin/skopeo", name: "skopeo" },
  squid: { path: "/usr/sbin/squid", name: "squid" },
  curl: { path: "/usr/bin/curl", name: "curl" },
  redis: { path: "/usr/bin/redis-server", name: "redis-server" },
  redisCli: { path: "/usr/bin/redis-cli", name: "redis-cli" },
};

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of a peer's binary (Debian's location first, then PATH), or `undefined` if absent. */
export function whichPeer(name: PeerName): string | undefined {
  const binary = BINARIES[name];
  if (executable(binary.path)) return binary.path;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, binary.name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** Path of `docker-registry` (CNCF distribution), or `undefined`. */
export function whichRegistry(): string | undefined {
  return whichPeer("registry");
}

/** Path of `nginx`, or `undefined`. */
export function whichNginx(): string | undefined {
  return whichPeer("nginx");
}

/** Path of `tinyproxy`, or `undefined`. */
export function whichTinyproxy(): string | undefined {
  return whichPeer("tinyproxy");
}

/** Path of `skopeo`, or `undefined`. */
export function whichSkopeo(): string | undefined {
  return whichPeer("skopeo");
}

/** Path of `redis-server`, or `undefined`. */
export function whichRedis(): string | undefined {
  return whichPeer("redis");
}

/** Whether the peer's binary is installed. */
export function peerAvailable(name: PeerName): boolean {
  return whichPeer(name) !== undefined;
}

/** Whether the `CI` environment variable is set to something other than empty, `0` or `false`. */
export function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/** What a test suite should do about a peer: skip it (with a reason) or run it. */
export interface PeerRequirement {
  /** True when the binary is missing and this is not CI. */
  readonly skip: boolean;
  /** Why: which binary and Debian package, and what happens in CI. Empty when available. */
  readonly reason: string;
}

/**
 * Tells a suite whether to skip for a missing peer. Outside CI a missing binary skips; in CI
 * (`CI` set) it never skips, so the suite runs and fails loudly on the missing binary.
 *
 * @example
 * ```ts
 * const registry = requirePeer("registry");
 * describe.skipIf(registry.skip)(`oci against the CNCF registry ${registry.reason}`, () => { ... });
 * ```
 */
export function requirePeer(name: PeerName): PeerRequirement {
  return peerRequirement(name, peerAvailable(name), isCI());
}

/** The decision behind {@link requirePeer}, given availability and whether this is CI. */
export function peerRequirement(name: PeerName, available: boolean, ci: boolean): PeerRequirement {
  if (available) return { skip: false, reason: "" };
  const what = `${BINARIES[name].name} is not installed (Debian package ${DEBIAN_PACKAGES[name]})`;
  if (ci) return { skip: false, reason: `(${what}; CI is set, so the tests run and fail)` };
  return { skip: true, reason: `(skipped: ${what})` };
}

/** Throws a clear error naming the Debian package when the peer's binary is missing; returns its path. */
export function peerBinary(name: PeerName): string {
  const path = whichPeer(name);
  if (path === undefined) {
    throw new Error(
      `${BINARIES[name].name} is not installed: install the Debian package ${DEBIAN_PACKAGES[name]} ` +
        `(apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES[name]})`,
    );
  }
  return path;
}
