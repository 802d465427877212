import { afterEach, describe, expect, it, vi } from "vitest";
import { DEBIAN_PACKAGES, isCI, peerBinary, peerRequirement, whichPeer } from "./peer-availability.ts";

describe("peerRequirement", () => {
  it.each([
    [true, false, { skip: false, reason: "" }],
    [true, true, { skip: false, reason: "" }],
    [false, false, { skip: true, reason: "(skipped: nginx is not installed (Debian package nginx))" }],
    [
      false,
      true,
      {
        skip: false,
        reason: "(nginx is not installed (Debian package nginx); CI is set, so the tests run and fail)",
      },
    ],
  ])("available=%s ci=%s", (available, ci, expected) => {
    expect(peerRequirement("nginx", available, ci)).toEqual(expected);
  });
});

describe("isCI", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  it.each([
    ["true", true],
    ["1", true],
    ["", false],
    ["0", false],
    ["false", false],
  ])("CI=%j -> %s", (value, expected) => {
    vi.stubEnv("CI", value);
    expect(isCI()).toBe(expected);
  });
});

describe("whichPeer / peerBinary", () => {
  it("names the Debian package of every peer", () => {
    expect(DEBIAN_PACKAGES).toEqual({
      registry: "docker-registry",
      nginx: "nginx",
      tinyproxy: "tinyproxy",
      htpasswd: "apache2-utils",
      skopeo: "skopeo",
      squid: "squid",
      curl: "curl",
      redis: "redis-server",
      redisCli: "redis-server",
    });
  });

  it("finds binaries on PATH when Debian's location is absent, and explains a missing one", () => {
    const found = whichPeer("nginx");
    if (found === undefined) {
      expect(() => peerBinary("nginx")).toThrow(/apt-get install -y --no-install-recommends nginx/);
    } else {
      expect(peerBinary("nginx")).toBe(found);
    }
  });
});
