import { existsSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isPortOpen, pidExists } from "@switchyard/testkit/process";
import { ProxyAgent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requirePeer } from "../peer-availability.ts";
import { startTinyproxy } from "./start-tinyproxy.ts";

const tinyproxy = requirePeer("tinyproxy");

/** An absolute-form request straight to the proxy, to see its own status and headers. */
function viaProxy(proxyPort: number, target: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: proxyPort, path: target }, resolve);
    req.once("error", reject);
    req.end();
  });
}

describe.skipIf(tinyproxy.skip)(`startTinyproxy ${tinyproxy.reason}`, () => {
  let origin: Server;
  let originPort = 0;
  beforeAll(async () => {
    origin = createServer((req, res) => res.end(`hello ${req.url}`));
    await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
    originPort = (origin.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => origin.close(resolve));
  });

  it("tunnels a request with CONNECT, logs it, and stops by PID", async () => {
    const proxy = await startTinyproxy();
    const agent = new ProxyAgent({ uri: proxy.url, proxyTunnel: true });
    try {
      const res = await request(`http://127.0.0.1:${originPort}/a`, { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe("hello /a");
      await proxy.waitForLog(/CONNECT 127\.0\.0\.1:\d+/);
      expect(proxy.connects()).toEqual([`127.0.0.1:${originPort}`]);
      expect(proxy.requests()).toEqual([{ method: "CONNECT", target: `127.0.0.1:${originPort}` }]);
    } finally {
      await agent.close();
      await proxy.stop();
    }
    expect(pidExists(proxy.pid)).toBe(false);
    expect(await isPortOpen(proxy.port)).toBe(false);
    expect(existsSync(proxy.dir)).toBe(false);
  });

  it("forwards absolute-form requests when not tunnelling", async () => {
    const proxy = await startTinyproxy();
    const agent = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    try {
      const res = await request(`http://127.0.0.1:${originPort}/plain`, { dispatcher: agent });
      expect(await res.body.text()).toBe("hello /plain");
      expect(proxy.requests()).toEqual([{ method: "GET", target: `http://127.0.0.1:${originPort}/plain` }]);
    } finally {
      await agent.close();
      await proxy.stop();
    }
  });

  it("answers 407 with Proxy-Authenticate without credentials, and proxies with them", async () => {
    const proxy = await startTinyproxy({ basicAuth: { user: "alice", password: "s3cret" } });
    const anonymous = new ProxyAgent({ uri: proxy.url, proxyTunnel: true });
    const wrong = new ProxyAgent({ uri: proxy.url, token: `Basic ${btoa("alice:nope")}`, proxyTunnel: true });
    const good = new ProxyAgent({
      uri: proxy.url,
      token: `Basic ${btoa("alice:s3cret")}`,
      proxyTunnel: true,
    });
    try {
      const denied = await viaProxy(proxy.port, `http://127.0.0.1:${originPort}/x`);
      expect(denied.statusCode).toBe(407);
      expect(denied.headers["proxy-authenticate"]).toMatch(/^Basic realm=/);
      denied.resume();
      await expect(request(`http://127.0.0.1:${originPort}/x`, { dispatcher: anonymous })).rejects.toThrow(
        /\(407\)/,
      );
      // tinyproxy 1.11 quirk: wrong credentials get 401 (with WWW-Authenticate), not 407.
      await expect(request(`http://127.0.0.1:${originPort}/x`, { dispatcher: wrong })).rejects.toThrow(
        /\(401\)/,
      );
      const res = await request(`http://127.0.0.1:${originPort}/ok`, { dispatcher: good });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe("hello /ok");
      expect(proxy.connects()).toContain(`127.0.0.1:${originPort}`);
    } finally {
      await Promise.all([anonymous.close(), wrong.close(), good.close()]);
      await proxy.stop();
    }
  });
});
