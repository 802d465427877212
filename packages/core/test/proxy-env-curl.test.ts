import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { requirePeer } from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyFor } from "../src/env-proxy.ts";
import { PROXY_ENV_CASES } from "../src/proxy-env-cases.ts";

// curl is the oracle for the proxy-from-environment table: for each case it runs with only the
// case's variables set, `--connect-to` sends any direct connection to a local origin, and a local
// recorder stands as the proxy. Which of the two saw a connection is where curl went. Nothing but
// 127.0.0.1 is ever contacted.
const curl = requirePeer("curl");
const run = promisify(execFile);

interface Recorder {
  server: http.Server;
  port: number;
  connections: number;
}

async function recorder(asProxy: boolean): Promise<Recorder> {
  const server = http.createServer((_req, res) => res.end("ok"));
  const rec: Recorder = { server, port: 0, connections: 0 };
  server.on("connection", () => {
    rec.connections++;
  });
  // A proxy that refuses every tunnel: curl fails fast, and the connection was counted.
  if (asProxy)
    server.on("connect", (_req, socket) => socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  rec.port = (server.address() as AddressInfo).port;
  return rec;
}

describe.skipIf(curl.skip)(`NO_PROXY table against curl ${curl.reason}`, () => {
  let origin: Recorder;
  let proxy: Recorder;
  beforeAll(async () => {
    origin = await recorder(false);
    proxy = await recorder(true);
  });
  afterAll(async () => {
    origin.server.closeAllConnections();
    proxy.server.closeAllConnections();
    await Promise.all([origin, proxy].map((r) => new Promise((resolve) => r.server.close(resolve))));
  });

  async function whereCurlWent(url: string, env: Readonly<Record<string, string>>): Promise<string> {
    const before = { origin: origin.connections, proxy: proxy.connections };
    const vars = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v === "P" ? `http://127.0.0.1:${proxy.port}` : v]),
    );
    await run(
      "curl",
      [
        "-q",
        "-s",
        "-o",
        "/dev/null",
        "--max-time",
        "5",
        "-k",
        "--connect-to",
        `::127.0.0.1:${origin.port}`,
        url,
      ],
      { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...vars } },
    ).catch(() => undefined);
    const viaProxy = proxy.connections > before.proxy;
    const direct = origin.connections > before.origin;
    return viaProxy && !direct ? "proxy" : direct && !viaProxy ? "direct" : "unclear";
  }

  it.each(PROXY_ENV_CASES.map((c) => [c.url, JSON.stringify(c.env), c.curl ?? c.want, c] as const))(
    "curl takes %s with %s %s",
    async (url, _env, expected, c) => {
      expect(await whereCurlWent(url, c.env)).toBe(expected);
      // proxyFor departs from this curl only on the rows that say so (`curl`), where newer curl agrees with us.
      expect(proxyFor(url, c.env) === undefined ? "direct" : "proxy").toBe(c.want);
    },
  );
});
