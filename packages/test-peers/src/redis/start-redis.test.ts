import { connect } from "node:net";
import { isPortOpen, pidExists } from "@switchyard/testkit/process";
import { describe, expect, it } from "vitest";
import { requirePeer } from "../peer-availability.ts";
import { startRedis } from "./start-redis.ts";
import { startRedisCluster } from "./start-redis-cluster.ts";

const redis = requirePeer("redis");

/** Sends one inline command and resolves with the first reply line. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk.toString();
      if (data.includes("\r\n")) {
        socket.destroy();
        resolve(data.slice(0, data.indexOf("\r\n")));
      }
    });
    socket.once("error", reject);
    socket.write(`${line}\r\n`);
  });
}

describe.skipIf(redis.skip)(`startRedis ${redis.reason}`, () => {
  it("answers PING, hangs on SIGSTOP until SIGCONT, crashes, restarts on its port, stops by PID", async () => {
    const server = await startRedis({ password: "pw" });
    try {
      expect(server.url).toBe(`redis://:pw@127.0.0.1:${server.port}`);
      expect(await command(server.port, "AUTH pw")).toBe("+OK");
      await server.hang();
      const order: string[] = [];
      const reply = command(server.port, "PING").then((line) => order.push(line));
      await new Promise((resolve) => setTimeout(resolve, 100));
      order.push("resume");
      await server.resume();
      await reply;
      expect(order).toEqual(["resume", "-NOAUTH Authentication required."]);
      const first = server.pid;
      await server.crash();
      expect(pidExists(first)).toBe(false);
      await server.restart();
      expect(server.pid).not.toBe(first);
      expect(await command(server.port, "AUTH pw")).toBe("+OK");
    } finally {
      await server.stop();
    }
    expect(pidExists(server.pid)).toBe(false);
    expect(await isPortOpen(server.port)).toBe(false);
  });

  it("builds a three-node cluster on loopback whose nodes all report cluster_state:ok", async () => {
    const cluster = await startRedisCluster();
    try {
      expect(cluster.urls).toHaveLength(3);
      for (const node of cluster.nodes) {
        expect(await command(node.port, "CLUSTER COUNTKEYSINSLOT 0")).toBe(":0");
      }
    } finally {
      await cluster.stop();
    }
    for (const node of cluster.nodes) expect(pidExists(node.pid)).toBe(false);
  }, 60_000);
});
