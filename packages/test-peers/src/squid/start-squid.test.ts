import { existsSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pidExists } from "@switchyard/testkit/process";
import { ProxyAgent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requirePeer } from "../peer-availability.ts";
import { type SquidPeer, startSquid } from "./start-squid.ts";

const squid = requirePeer("squid");

describe.skipIf(squid.skip)(`startSquid ${squid.reason}`, () => {
  let origin: Server;
  let originUrl = "";
  let proxy: SquidPeer;
  beforeAll(async () => {
    origin = createServer((req, res) => res.end(`hello ${req.url}`));
    await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
    originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    // One squid for the file: it needs proxy auth, so both outcomes show on one instance.
    proxy = await startSquid({ basicAuth: { user: "alice", password: "s3cret" } });
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise((resolve) => origin.close(resolve));
    expect(pidExists(proxy.pid)).toBe(false);
    expect(existsSync(proxy.dir)).toBe(false);
  });

  it("refuses requests without proxy credentials with 407", async () => {
    // An absolute-form request straight to squid, to see its own answer (undici's ProxyAgent throws on 407).
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: proxy.port, path: `${originUrl}/anon` }, resolve);
      req.once("error", reject);
      req.end();
    });
    expect(res.statusCode).toBe(407);
    expect(res.headers["proxy-authenticate"]).toMatch(/^Basic realm="switchyard-test"/);
    res.resume();
    const anonymous = new ProxyAgent({ uri: proxy.url, proxyTunnel: true });
    try {
      await expect(request(`${originUrl}/anon`, { dispatcher: anonymous })).rejects.toThrow(/407/);
    } finally {
      await anonymous.close();
    }
  });

  it("forwards absolute-form requests and CONNECT tunnels with credentials, and logs them", async () => {
    const token = `Basic ${btoa("alice:s3cret")}`;
    const plain = new ProxyAgent({ uri: proxy.url, token, proxyTunnel: false });
    const tunnel = new ProxyAgent({ uri: proxy.url, token, proxyTunnel: true });
    try {
      const a = await request(`${originUrl}/plain`, { dispatcher: plain });
      expect(await a.body.text()).toBe("hello /plain");
      const b = await request(`${originUrl}/tunnel`, { dispatcher: tunnel });
      expect(await b.body.text()).toBe("hello /tunnel");
    } finally {
      await Promise.all([plain.close(), tunnel.close()]);
    }
    // squid writes a CONNECT's line when the tunnel closes, a moment after the agent let go of it:
    // read the log again until that line is there (bounded: 100 reads, 50 ms apart).
    const target = originUrl.replace("http://", "");
    let log = await proxy.accessLog();
    for (let i = 0; i < 100 && !log.some((e) => e.method === "CONNECT" && e.user === "alice"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      log = await proxy.accessLog();
    }
    expect(log).toContainEqual(
      expect.objectContaining({ method: "GET", target: `${originUrl}/plain`, user: "alice" }),
    );
    expect(log).toContainEqual(expect.objectContaining({ method: "CONNECT", target, user: "alice" }));
  });
});
