import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, InvalidOptionsError, memoryStateStore, type StateStore } from "@switchyard/core";
import type { RegistryPeer, TokenServer } from "@switchyard/test-peers";
import { pushArtifact, requirePeer, startRegistry } from "@switchyard/test-peers";
import { createPeerTempDir } from "@switchyard/testkit/process";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { oci } from "../src/oci.ts";
import { memoryStore } from "./helpers.ts";

const registry = requirePeer("registry");
const PASSWORD = "alice-fleet-pw";

describe("oci stateStore options", () => {
  it("refuses a stateStore without a sealKey (tokens are never shared in the clear), and a bad sealKey", () => {
    expect(() => oci({ stateStore: memoryStateStore() })).toThrow(/sealKey/);
    expect(() => oci({ stateStore: memoryStateStore(), sealKey: randomBytes(16) })).toThrow(
      InvalidOptionsError,
    );
    expect(() => oci({ stateStore: {} as StateStore, sealKey: randomBytes(32) })).toThrow(/StateStore/);
  });
});

describe.skipIf(registry.skip)(
  `oci with a shared stateStore, CNCF registry with token auth ${registry.reason}`,
  () => {
    let peer: RegistryPeer;
    let tokens: TokenServer;
    beforeAll(async () => {
      peer = await startRegistry({ auth: { kind: "token", users: { alice: PASSWORD } } });
      tokens = peer.tokenServer as TokenServer;
      await pushArtifact(peer.url, "org/fleet", "1.0", {
        layers: [{ mediaType: "text/plain", data: "fleet bytes" }],
        auth: { username: "alice", password: PASSWORD },
      });
    }, 60_000);
    afterAll(() => peer?.stop());
    beforeEach(() => {
      tokens.reset();
      tokens.setTokenLifetime(300);
    });

    const credentials = () =>
      memoryStore({
        [`http://${peer.host}/`]: {
          kind: "basic",
          username: "alice",
          password: PASSWORD,
          allowInsecureHttp: true,
        },
      });

    function clients(stateStore: StateStore, keys: Uint8Array[]) {
      const made = keys.map((sealKey) =>
        createClient({
          middleware: [
            oci({ insecureRegistries: [peer.host], credentials: credentials(), stateStore, sealKey }),
          ],
        }),
      );
      return made;
    }

    it("four clients pulling at once make one token exchange, and the store never holds the token in the clear", async () => {
      const stateStore = memoryStateStore();
      const values: string[] = [];
      stateStore.subscribe("oci:token:", (change) => {
        void stateStore.get(change.key).then((entry) => entry && values.push(entry.value));
      });
      const key = randomBytes(32);
      const cs = clients(stateStore, [key, key, key, key]);
      try {
        const texts = await Promise.all(
          cs.map(async (c) => (await c.request(`oci://${peer.host}/org/fleet:1.0`)).text()),
        );
        expect(texts).toEqual(["fleet bytes", "fleet bytes", "fleet bytes", "fleet bytes"]);
        expect(tokens.requests.filter((r) => r.status === 200)).toHaveLength(1);
        await new Promise((resolve) => setImmediate(resolve));
        expect(values.length).toBeGreaterThan(0);
        for (const value of values) {
          expect(value.startsWith("v1.")).toBe(true);
          expect(value).not.toMatch(/eyJ/); // no JWT (header or payload) in the clear
        }
      } finally {
        await Promise.all(cs.map((c) => c.close()));
      }
    });

    it("a process with another sealKey cannot open the shared token and exchanges its own", async () => {
      const stateStore = memoryStateStore();
      const [a, b] = clients(stateStore, [randomBytes(32), randomBytes(32)]) as [
        ReturnType<typeof createClient>,
        ReturnType<typeof createClient>,
      ];
      try {
        expect(await (await a.request(`oci://${peer.host}/org/fleet:1.0`)).text()).toBe("fleet bytes");
        expect(await (await b.request(`oci://${peer.host}/org/fleet:1.0`)).text()).toBe("fleet bytes");
        expect(tokens.requests.filter((r) => r.status === 200)).toHaveLength(2);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it("four real processes on one SQLite store make one token exchange between them", async () => {
      const dir = await createPeerTempDir("oci-fleet");
      const script = fileURLToPath(new URL("./fleet-worker.ts", import.meta.url));
      const sealKey = randomBytes(32).toString("base64");
      const children: ChildProcess[] = [];
      try {
        for (let i = 0; i < 4; i++) {
          const child = fork(script, [join(dir.path, "state.db"), peer.host, PASSWORD, sealKey], {
            stdio: ["ignore", "inherit", "inherit", "ipc"],
            execArgv: ["--disable-warning=ExperimentalWarning"],
          });
          children.push(child);
          await new Promise((resolve) => child.once("message", resolve));
        }
        const answers = await Promise.all(
          children.map(
            (child) =>
              new Promise<unknown>((resolve) => {
                child.once("message", resolve);
                child.send({ pull: `oci://${peer.host}/org/fleet:1.0` });
              }),
          ),
        );
        expect(answers).toEqual(children.map(() => ({ text: "fleet bytes" })));
        expect(tokens.requests.filter((r) => r.status === 200)).toHaveLength(1);
        await Promise.all(
          children.map((child) => {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.send({ close: true });
            return exited;
          }),
        );
      } finally {
        for (const child of children) child.kill("SIGKILL");
        await dir.remove();
      }
    }, 60_000);
  },
);
