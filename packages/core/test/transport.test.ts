import http2 from "node:http2";
import https from "node:https";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { requirePeer, startTinyproxy } from "@switchyard/test-peers";
import { getTestCertificates } from "@switchyard/testkit/tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectError, createClient, TimeoutError } from "../src/index.ts";
import { localServer } from "./local-server.ts";

const certs = getTestCertificates();

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("TLS", () => {
  let server: https.Server;
  let port: number;
  beforeAll(async () => {
    server = https.createServer(
      {
        cert: certs.server.cert,
        key: certs.server.key,
        ca: certs.ca,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const socket = req.socket as import("node:tls").TLSSocket;
        res.end(
          JSON.stringify({
            authorized: socket.authorized,
            peer: socket.getPeerCertificate()?.subject?.CN ?? null,
          }),
        );
      },
    );
    port = await listen(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("trusts a server through an extra CA", async () => {
    const client = createClient({ tls: { ca: certs.ca } });
    const res = await client.request(`https://127.0.0.1:${port}/`);
    expect(await res.json()).toMatchObject({ authorized: false });
    await client.close();
  });

  it("presents a client certificate for mTLS", async () => {
    const client = createClient({ tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key } });
    const res = await client.request(`https://127.0.0.1:${port}/`);
    expect(await res.json()).toEqual({ authorized: true, peer: "switchyard-test-client" });
    await client.close();
  });

  it("rejects an unknown CA by default with a clear ConnectError", async () => {
    const client = createClient();
    const error = await client.request(`https://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toMatch(/TLS handshake failed .* check the CA/);
    expect((error as ConnectError).transient).toBe(false);
    await client.close();
  });
});

describe("connect timeout", () => {
  it("fires when the TLS handshake never completes", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    const port = await listen(silent);
    const client = createClient({ connectTimeout: 150 });
    const error = await client.request(`https://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("connect");
    await client.destroy();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});

describe("HTTP/2", () => {
  it("negotiates h2 over TLS when allowed", async () => {
    const server = http2.createSecureServer(
      { cert: certs.server.cert, key: certs.server.key },
      (req, res) => {
        res.end(JSON.stringify({ version: req.httpVersion }));
      },
    );
    const port = await listen(server);
    const client = createClient({ allowH2: true, tls: { ca: certs.ca } });
    const res = await client.request(`https://127.0.0.1:${port}/`);
    expect(await res.json()).toEqual({ version: "2.0" });
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

const proxyPeer = requirePeer("tinyproxy");

describe.skipIf(proxyPeer.skip)(`proxy (tinyproxy) ${proxyPeer.reason ?? ""}`, () => {
  it("tunnels through a proxy with and without proxy credentials", async () => {
    const origin = await localServer((_req, res) => res.end("via proxy"));
    const open = await startTinyproxy();
    const guarded = await startTinyproxy({ basicAuth: { user: "pxuser", password: "pxpass" } });
    try {
      const viaOpen = createClient({ proxy: open.url });
      expect(await (await viaOpen.request(`${origin.url}/`)).text()).toBe("via proxy");
      expect(open.requests()).toContainEqual({ method: "GET", target: `${origin.url}/` });
      await viaOpen.close();

      const tunnelled = createClient({ proxy: { url: open.url, tunnel: true } });
      expect(await (await tunnelled.request(`${origin.url}/`)).text()).toBe("via proxy");
      expect(open.connects()).toContain(`127.0.0.1:${origin.port}`);
      await tunnelled.close();

      const withCreds = createClient({ proxy: guarded.url.replace("://", "://pxuser:pxpass@") });
      expect(await (await withCreds.request(`${origin.url}/`)).text()).toBe("via proxy");
      await withCreds.close();

      const withoutCreds = createClient({ proxy: guarded.url });
      const error = await withoutCreds.request(`${origin.url}/`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).not.toContain("pxpass");
      await withoutCreds.close();
    } finally {
      await open.stop();
      await guarded.stop();
      await origin.close();
    }
  });
});
