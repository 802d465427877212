import { execFile } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "./free-port.ts";
import { launchPeer, PeerStartError, startOnFreePort } from "./launch-peer.ts";
import { pidExists } from "./process-gone.ts";
import { isPortOpen } from "./wait-for-port.ts";

const NODE = process.execPath;
const listenScript = (port: number, extra = ""): string =>
  `${extra}require("node:net").createServer().listen(${port}, "127.0.0.1", () => console.log("listening"));`;

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("launchPeer", () => {
  it("resolves once the port accepts connections, and stop() kills by PID", async () => {
    const port = await freePort();
    const peer = await launchPeer({ name: "node", command: NODE, args: ["-e", listenScript(port)], port });
    expect(await isPortOpen(port)).toBe(true);
    await peer.waitForLine(/listening/);
    expect(await peer.stop()).toEqual({ code: null, signal: "SIGTERM" });
    expect(pidExists(peer.pid)).toBe(false);
    expect(await isPortOpen(port)).toBe(false);
  });

  it("escalates to SIGKILL when the peer ignores SIGTERM", async () => {
    const port = await freePort();
    const script = listenScript(port, 'process.on("SIGTERM", () => {});');
    const peer = await launchPeer({ name: "stubborn", command: NODE, args: ["-e", script], port });
    await peer.waitForLine(/listening/);
    const exit = await peer.stop({ timeoutMs: 200 });
    expect(exit.signal).toBe("SIGKILL");
    expect(pidExists(peer.pid)).toBe(false);
  });

  it("reports a port taken by another process as addressInUse, even though the port answers", async () => {
    const port = await freePort();
    const squatter = await occupy(port);
    try {
      const error = await launchPeer({
        name: "late",
        command: NODE,
        args: ["-e", listenScript(port)],
        port,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PeerStartError);
      expect((error as PeerStartError).addressInUse).toBe(true);
    } finally {
      squatter.close();
    }
  });

  it("fails with the peer's last output when it exits before listening", async () => {
    const port = await freePort();
    const script = 'console.error("bad config line 3"); process.exit(2);';
    const error = await launchPeer({ name: "broken", command: NODE, args: ["-e", script], port }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PeerStartError);
    expect((error as PeerStartError).message).toMatch(
      /broken did not start.*exit code 2.*bad config line 3/s,
    );
    expect((error as PeerStartError).addressInUse).toBe(false);
  });
});

describe("startOnFreePort", () => {
  it("retries with a new port while the start fails with addressInUse, bounded", async () => {
    const ports: number[] = [];
    const result = await startOnFreePort(async (port) => {
      ports.push(port);
      if (ports.length < 3) throw new PeerStartError("taken", true);
      return port;
    });
    expect(ports).toHaveLength(3);
    expect(result).toBe(ports[2]);
    let calls = 0;
    await expect(
      startOnFreePort(
        async () => {
          calls++;
          throw new PeerStartError("always taken", true);
        },
        { attempts: 4 },
      ),
    ).rejects.toThrow(/always taken/);
    expect(calls).toBe(4);
  });

  it("does not retry other failures", async () => {
    let calls = 0;
    await expect(
      startOnFreePort(async () => {
        calls++;
        throw new Error("bad config");
      }),
    ).rejects.toThrow(/bad config/);
    expect(calls).toBe(1);
  });
});

describe("exit cleanup", () => {
  const harness = fileURLToPath(new URL("./launch-peer.ts", import.meta.url));
  const tempDir = fileURLToPath(new URL("./peer-temp-dir.ts", import.meta.url));

  /** Runs a node process that starts a peer and a temp dir, prints both, then ends as `how` says. */
  function runParent(how: string): Promise<{ pid: number; dir: string }> {
    const script = `
      import { launchPeer } from ${JSON.stringify(harness)};
      import { createPeerTempDir } from ${JSON.stringify(tempDir)};
      import { createServer } from "node:net";
      const probe = createServer().listen(0, "127.0.0.1");
      await new Promise((r) => probe.once("listening", r));
      const port = probe.address().port;
      await new Promise((r) => probe.close(r));
      const peer = await launchPeer({ name: "child", command: process.execPath,
        args: ["-e", ${JSON.stringify(listenScript(0).replace("(0,", "(Number(process.argv[1]),"))}, String(port)], port });
      const dir = await createPeerTempDir("cleanup-test");
      console.log(JSON.stringify({ pid: peer.pid, dir: dir.path }));
      ${how}
    `;
    return new Promise((resolve, reject) => {
      const child = execFile(
        NODE,
        ["--input-type=module", "-e", script],
        { timeout: 15_000 },
        (error, stdout) => {
          const line = stdout.split("\n").find((l) => l.startsWith("{"));
          if (line) resolve(JSON.parse(line) as { pid: number; dir: string });
          else reject(error ?? new Error(`no output: ${stdout}`));
        },
      );
      child.stdin?.end();
    });
  }

  async function gone(pid: number): Promise<boolean> {
    for (let i = 0; i < 100 && pidExists(pid); i++) await new Promise((r) => setTimeout(r, 20));
    return !pidExists(pid);
  }

  it.each([
    ["a normal exit", "process.exit(0);"],
    ["SIGTERM", 'process.kill(process.pid, "SIGTERM");'],
  ])("kills peers and removes temp dirs on %s", async (_name, how) => {
    const { pid, dir } = await runParent(how);
    expect(await gone(pid)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it("kills peers even when the parent dies by SIGKILL (setpriv --pdeathsig)", async () => {
    const { pid, dir } = await runParent('process.kill(process.pid, "SIGKILL");');
    expect(await gone(pid)).toBe(true);
    // Nothing runs after SIGKILL, so the temp dir is left: remove it here.
    rmSync(dir, { recursive: true, force: true });
  });
});
