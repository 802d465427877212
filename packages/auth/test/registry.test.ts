import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@switchyard/core";
import type { RegistryPeer } from "@switchyard/test-peers";
import { MANIFEST_ACCEPT, pushArtifact, requirePeer, startRegistry } from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth } from "../src/auth.ts";
import { fileStore } from "../src/stores/file-store.ts";
import { memoryStore } from "../src/stores/memory-store.ts";
import { netrcStore } from "../src/stores/netrc-store.ts";

const registry = requirePeer("registry");
const USER = "alice";
const PASSWORD = "registry-pass-7f3a";

describe.skipIf(registry.skip)(`auth against the CNCF registry (htpasswd) ${registry.reason}`, () => {
  let peer: RegistryPeer;
  let dir: string;
  let pushedDigest: string;

  beforeAll(async () => {
    peer = await startRegistry({ auth: { kind: "htpasswd", users: { [USER]: PASSWORD } } });
    dir = await mkdtemp(join(tmpdir(), "sy-auth-registry-"));
    const pushed = await pushArtifact(peer.url, "switchyard/auth-test", "v1", {
      layers: [{ mediaType: "text/plain", data: Buffer.from("hello from behind basic auth\n") }],
      auth: { username: USER, password: PASSWORD },
    });
    pushedDigest = pushed.manifestDigest;
  }, 30_000);
  afterAll(async () => {
    await peer?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("answers 401 with a Basic challenge without credentials", async () => {
    const c = createClient({ middleware: [auth({ stores: [] })] });
    try {
      const res = await c.request(`${peer.url}/v2/`);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
      await res.discard();
    } finally {
      await c.close();
    }
  });

  it("pulls a manifest with basic credentials from a netrc file (plain http allowed for this host:port)", async () => {
    const netrc = join(dir, "netrc");
    await writeFile(netrc, `machine ${peer.host}\n  login ${USER}\n  password ${PASSWORD}\n`);
    const c = createClient({
      middleware: [auth({ stores: [netrcStore(netrc)], allowInsecureHttp: [peer.host] })],
    });
    try {
      const base = await c.request(`${peer.url}/v2/`);
      expect(base.status).toBe(200);
      await base.discard();
      const manifest = await c.request(`${peer.url}/v2/switchyard/auth-test/manifests/v1`, {
        headers: { accept: MANIFEST_ACCEPT },
      });
      expect(manifest.status).toBe(200);
      expect(manifest.headers.get("docker-content-digest")).toBe(pushedDigest);
      await manifest.discard();
    } finally {
      await c.close();
    }
  });

  it("sends nothing over plain http unless allowed, so the registry refuses", async () => {
    const c = createClient({
      middleware: [
        auth({
          stores: [memoryStore({ [peer.host]: { kind: "basic", username: USER, password: PASSWORD } })],
        }),
      ],
    });
    try {
      const res = await c.request(`${peer.url}/v2/`);
      expect(res.status).toBe(401);
      await res.discard();
    } finally {
      await c.close();
    }
  });

  it("replays once after a 401 when the credentials file was fixed meanwhile", async () => {
    const path = join(dir, "credentials.json");
    await writeFile(
      path,
      JSON.stringify({ [peer.host]: { BasicHTTP: { username: USER, password: "wrong" } } }),
    );
    const store = fileStore(path, { recheckInterval: 60_000 });
    const c = createClient({ middleware: [auth({ stores: [store], allowInsecureHttp: [peer.host] })] });
    try {
      const first = await c.request(`${peer.url}/v2/`);
      expect(first.status).toBe(401);
      await first.discard();
      await writeFile(
        path,
        JSON.stringify({ [peer.host]: { BasicHTTP: { username: USER, password: PASSWORD } } }),
      );
      const second = await c.request(`${peer.url}/v2/_catalog`);
      expect(second.status).toBe(200);
      expect(await second.json()).toEqual({ repositories: ["switchyard/auth-test"] });
    } finally {
      await c.close();
    }
  });
});
