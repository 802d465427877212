// Regression: a credential from rattler's credentials.json could never reach a plain-http registry
// (rattler's format has no allowInsecureHttp field and an extra field is refused). auth's
// allowInsecureHttp now also marks what its store hands to consumers such as oci.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auth, fileStore } from "@switchyard/auth";
import { createClient } from "@switchyard/core";
import { oci } from "@switchyard/oci";
import type { RegistryPeer } from "@switchyard/test-peers";
import { pushArtifact, requirePeer, startRegistry } from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const registry = requirePeer("registry");
const PASSWORD = "file-backed-registry-pw";

describe.skipIf(registry.skip)(
  `a file-backed credential against a plain-http registry ${registry.reason}`,
  () => {
    let peer: RegistryPeer;
    let dir: string;
    let path: string;

    beforeAll(async () => {
      peer = await startRegistry({ auth: { kind: "htpasswd", users: { dana: PASSWORD } } });
      await pushArtifact(peer.url, "team/data", "1.0", {
        layers: [{ mediaType: "application/octet-stream", data: "stored-credential bytes" }],
        auth: { username: "dana", password: PASSWORD },
      });
      dir = await mkdtemp(join(tmpdir(), "sy-stored-http-"));
      path = join(dir, "credentials.json");
      await writeFile(
        path,
        JSON.stringify({ [peer.host]: { BasicHTTP: { username: "dana", password: PASSWORD } } }),
      );
    });
    afterAll(async () => {
      await peer?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function pull(allowInsecureHttp: readonly string[] | undefined): Promise<unknown> {
      const store = auth({
        stores: [fileStore(path)],
        ...(allowInsecureHttp === undefined ? {} : { allowInsecureHttp }),
      }).store;
      const client = createClient({
        middleware: [oci({ insecureRegistries: [peer.host], credentials: store })],
      });
      try {
        return await (await client.request(`oci://${peer.host}/team/data:1.0`)).text();
      } catch (error) {
        return error;
      } finally {
        await client.close();
      }
    }

    it("reaches the registry when auth names the host in allowInsecureHttp", async () => {
      expect(await pull([peer.host])).toBe("stored-credential bytes");
    });

    it("still holds the credential back from plain http by default", async () => {
      expect(await pull(undefined)).toMatchObject({ name: "OciAuthError" });
    });
  },
);
