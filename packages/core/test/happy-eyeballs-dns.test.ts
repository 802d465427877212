import type { LookupAddress } from "node:dns";
import http from "node:http";
import net, { type AddressInfo, type LookupFunction } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/client.ts";
import { InvalidOptionsError } from "../src/errors.ts";

// Names resolve through a fake lookup (nothing outside loopback exists for these tests); the
// first address it gives is a loopback address where nothing listens, the second the server.

function listen(host: string, port = 0): Promise<http.Server | undefined> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { connection: "close" });
    res.end(`hello ${req.headers.host}`);
  });
  return new Promise((resolve) => {
    server.once("error", () => resolve(undefined));
    server.listen(port, host, () => resolve(server));
  });
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

function fakeLookup(
  addresses: LookupAddress[],
  calls: Array<{ hostname: string; all: boolean }>,
): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    calls.push({ hostname, all: options.all === true });
    if (options.all) queueMicrotask(() => callback(null, addresses));
    else queueMicrotask(() => callback(null, addresses[0]!.address, addresses[0]!.family));
  }) as unknown as LookupFunction;
}

const close = (server: http.Server | undefined) =>
  new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });

describe("autoSelectFamily (Happy Eyeballs)", () => {
  let v4: http.Server | undefined;
  let v6: http.Server | undefined;
  let port4 = 0;
  let port6 = 0;
  beforeAll(async () => {
    v4 = await listen("127.0.0.1");
    port4 = (v4!.address() as AddressInfo).port;
    v6 = await listen("::1");
    port6 = v6 ? (v6.address() as AddressInfo).port : 0;
  });
  afterAll(async () => {
    await Promise.all([close(v4), close(v6)]);
  });

  it("is on by default: a dead first address falls back to the next one", async () => {
    expect(await refused("127.0.0.2", port4)).toBe(true);
    const calls: Array<{ hostname: string; all: boolean }> = [];
    const lookup = fakeLookup(
      [
        { address: "127.0.0.2", family: 4 },
        { address: "127.0.0.1", family: 4 },
      ],
      calls,
    );
    const client = createClient({ lookup });
    try {
      const res = await client.request(`http://dual.test:${port4}/`);
      expect(await res.text()).toBe(`hello dual.test:${port4}`);
      expect(calls).toEqual([{ hostname: "dual.test", all: true }]);
    } finally {
      await client.close();
    }
  });

  it("autoSelectFamily: false tries only the first address", async () => {
    const calls: Array<{ hostname: string; all: boolean }> = [];
    const lookup = fakeLookup(
      [
        { address: "127.0.0.2", family: 4 },
        { address: "127.0.0.1", family: 4 },
      ],
      calls,
    );
    const client = createClient({ lookup, autoSelectFamily: false });
    try {
      const error = await client.request(`http://dual.test:${port4}/`).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "SWITCHYARD_ERR_CONNECT" });
      expect(calls).toEqual([{ hostname: "dual.test", all: false }]);
    } finally {
      await client.close();
    }
  });

  it("falls back from IPv4 to IPv6 (::1), when this machine has ::1", async (ctx) => {
    if (!v6 || !(await refused("127.0.0.1", port6))) ctx.skip();
    const lookup = fakeLookup(
      [
        { address: "127.0.0.1", family: 4 },
        { address: "::1", family: 6 },
      ],
      [],
    );
    const client = createClient({ lookup });
    try {
      expect(await (await client.request(`http://dual.test:${port6}/`)).text()).toBe(
        `hello dual.test:${port6}`,
      );
    } finally {
      await client.close();
    }
  });
});

describe("dnsCache", () => {
  let server: http.Server | undefined;
  let port = 0;
  beforeAll(async () => {
    server = await listen("127.0.0.1");
    port = (server!.address() as AddressInfo).port;
  });
  afterAll(() => close(server));

  it("resolves a name once for several connections when on, keeping the Host header", async () => {
    const calls: Array<{ hostname: string; all: boolean }> = [];
    const lookup = fakeLookup([{ address: "127.0.0.1", family: 4 }], calls);
    const client = createClient({ lookup, dnsCache: { maxTTL: 60_000 } });
    try {
      // The server closes each connection: every request opens a new one.
      for (const path of ["/a", "/b", "/c"]) {
        expect(await (await client.request(`http://cached.test:${port}${path}`)).text()).toBe(
          `hello cached.test:${port}`,
        );
      }
      expect(calls.map((c) => c.hostname)).toEqual(["cached.test"]);
    } finally {
      await client.close();
    }
  });

  it("is off by default: each new connection resolves", async () => {
    const calls: Array<{ hostname: string; all: boolean }> = [];
    const client = createClient({ lookup: fakeLookup([{ address: "127.0.0.1", family: 4 }], calls) });
    try {
      for (const path of ["/a", "/b"])
        await (await client.request(`http://fresh.test:${port}${path}`)).text();
      expect(calls.map((c) => c.hostname)).toEqual(["fresh.test", "fresh.test"]);
    } finally {
      await client.close();
    }
  });

  it("refuses bad settings and a proxy synchronously", () => {
    expect(() => createClient({ dnsCache: { maxTTL: -1 } })).toThrow(InvalidOptionsError);
    expect(() => createClient({ dnsCache: "yes" as never })).toThrow(InvalidOptionsError);
    expect(() => createClient({ autoSelectFamily: "no" as never })).toThrow(InvalidOptionsError);
    expect(() => createClient({ dnsCache: true, proxy: "http://127.0.0.1:9" })).toThrow(
      /cannot be combined with proxy/,
    );
  });
});
