// The fault suite's checks are only worth something if they catch what they look for.
import net from "node:net";
import { describe, expect, it } from "vitest";
import { bounded, guard } from "./guard.ts";

describe("guard", () => {
  it("reports a socket left open", async () => {
    const server = net.createServer((s) => s.on("error", () => {}));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const watch = guard();
    const socket = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const report = await watch.finish(100);
    socket.destroy();
    server.close();
    expect(report.leaked.TCPSocketWrap).toBeGreaterThanOrEqual(1);
  });

  it("reports a timer left running", async () => {
    const watch = guard();
    const timer = setTimeout(() => {}, 10_000);
    const report = await watch.finish(50);
    clearTimeout(timer);
    expect(report.leaked.Timeout).toBe(1);
  });

  it("reports an unhandled rejection", async () => {
    const watch = guard();
    void Promise.reject(new Error("nobody listens"));
    const report = await watch.finish(50);
    expect(report.unhandled).toHaveLength(1);
  });

  it("reports nothing when everything was cleaned up", async () => {
    const watch = guard();
    const timer = setTimeout(() => {}, 10_000);
    clearTimeout(timer);
    await expect(watch.finish(50)).resolves.toEqual({ unhandled: [], leaked: {} });
  });

  it("bounded() turns a hang into an error", async () => {
    await expect(bounded(new Promise(() => {}), 20, "a promise that never settles")).rejects.toThrow(/HANG/);
  });
});
