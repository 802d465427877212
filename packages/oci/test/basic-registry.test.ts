import { createClient } from "@switchyard/core";
import type { RegistryPeer } from "@switchyard/test-peers";
import { pushArtifact, requirePeer, startRegistry } from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OciAuthError } from "../src/errors.ts";
import { oci } from "../src/oci.ts";
import { innerRecorder, listen, memoryStore } from "./helpers.ts";

const registry = requirePeer("registry");
const PASSWORD = "carol-basic-secret";

describe.skipIf(registry.skip)(`oci against the CNCF registry, htpasswd basic ${registry.reason}`, () => {
  let peer: RegistryPeer;

  beforeAll(async () => {
    peer = await startRegistry({ auth: { kind: "htpasswd", users: { carol: PASSWORD } } });
    await pushArtifact(peer.url, "team/tool", "2.1", {
      layers: [{ mediaType: "application/octet-stream", data: "basic-protected bytes" }],
      auth: { username: "carol", password: PASSWORD },
    });
  });
  afterAll(async () => {
    await peer?.stop();
  });

  function client(store?: ReturnType<typeof memoryStore>) {
    const recorder = innerRecorder();
    const c = createClient({
      middleware: [
        recorder,
        oci({ insecureRegistries: ["127.0.0.1"], ...(store ? { credentials: store } : {}) }),
      ],
    });
    return { client: c, seen: recorder.seen };
  }

  it("sends stored Basic credentials straight to a Basic registry, after one probe", async () => {
    const store = memoryStore({
      [`http://${peer.host}/team/`]: {
        kind: "basic",
        username: "carol",
        password: PASSWORD,
        allowInsecureHttp: true,
      },
    });
    const probes = listen("switchyard:oci:probe");
    const { client: c, seen } = client(store);
    try {
      expect(await (await c.request(`oci://${peer.host}/team/tool:2.1`)).text()).toBe(
        "basic-protected bytes",
      );
      expect(await (await c.request(`oci://${peer.host}/team/tool:2.1`)).text()).toBe(
        "basic-protected bytes",
      );
      const expected = `Basic ${Buffer.from(`carol:${PASSWORD}`).toString("base64")}`;
      expect(seen[0]).toMatchObject({
        url: `http://${peer.host}/v2/`,
        status: 401,
        authorization: undefined,
      });
      expect(seen.slice(1).every((s) => s.authorization === expected && s.status === 200)).toBe(true);
      expect(seen.filter((s) => s.url.endsWith("/v2/"))).toHaveLength(1);
      expect(probes.messages).toMatchObject([{ registry: peer.host, status: 401, scheme: "basic" }]);
    } finally {
      probes.stop();
      await c.close();
    }
  });

  it("fails with OciAuthError naming the fix when no credentials are stored", async () => {
    const { client: c } = client();
    try {
      const error = await c.request(`oci://${peer.host}/team/tool:2.1`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OciAuthError);
      expect(error).toMatchObject({ status: 401, codes: ["UNAUTHORIZED"] });
      expect((error as Error).message).toMatch(
        /anonymous access was refused; give credentials for 127\.0\.0\.1:\d+/,
      );
    } finally {
      await c.close();
    }
  });

  it("fails with OciAuthError on a wrong password, tells the store, and never shows the password", async () => {
    const store = memoryStore({
      [`http://${peer.host}/`]: {
        kind: "basic",
        username: "carol",
        password: "a-wrong-password",
        allowInsecureHttp: true,
      },
    });
    const { client: c } = client(store);
    try {
      const error = await c.request(`oci://${peer.host}/team/tool:2.1`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OciAuthError);
      expect((error as Error).message).toMatch(/the credentials were refused/);
      expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain("a-wrong-password");
      expect(store.invalidated).toEqual([
        { url: `http://${peer.host}/team/tool`, credential: expect.objectContaining({ username: "carol" }) },
      ]);
    } finally {
      await c.close();
    }
  });

  it("withholds credentials from a plain-http registry unless the credential allows it", async () => {
    const store = memoryStore({
      [`http://${peer.host}/`]: { kind: "basic", username: "carol", password: PASSWORD },
    });
    const { client: c, seen } = client(store);
    try {
      await expect(c.request(`oci://${peer.host}/team/tool:2.1`)).rejects.toThrow(
        /credentials are not sent over plain http to http:\/\/127\.0\.0\.1:\d+ unless the credential has allowInsecureHttp/,
      );
      expect(seen.every((s) => s.authorization === undefined)).toBe(true);
    } finally {
      await c.close();
    }
  });
});
