import diagnosticsChannel from "node:diagnostics_channel";
import type { LookupAddress } from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, InvalidOptionsError } from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Resolver } from "../src/guarded-lookup.ts";
import { ssrf } from "../src/ssrf.ts";
import { SsrfError } from "../src/ssrf-error.ts";

// Only 127.0.0.1 is ever connected to. Names resolve through a fake resolver, so addresses that
// must be refused are never contacted: the guard refuses them before any connection.
let server: http.Server;
let port = 0;
const hits: string[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url?.startsWith("/redirect?to=")) {
      res.writeHead(302, {
        location: decodeURIComponent(req.url.slice("/redirect?to=".length)),
        connection: "close",
      });
      res.end();
      return;
    }
    res.writeHead(200, { connection: "close" });
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A fake resolver: each name answers the next entry of its script (the last one repeats). */
function fakeResolver(script: Record<string, LookupAddress[][]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const counters = new Map<string, number>();
  const resolver = ((hostname, _options, callback) => {
    calls.push(hostname);
    const answers = script[hostname];
    if (answers === undefined) {
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
      queueMicrotask(() => callback(error, []));
      return;
    }
    const n = counters.get(hostname) ?? 0;
    counters.set(hostname, n + 1);
    queueMicrotask(() => callback(null, answers[Math.min(n, answers.length - 1)] ?? []));
  }) as Resolver & { calls: string[] };
  resolver.calls = calls;
  return resolver;
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

function guardedClient(options: Parameters<typeof ssrf>[0]) {
  const guard = ssrf(options);
  return createClient({ middleware: [guard], lookup: guard.lookup });
}

describe("ssrf: IP literals, the bypass corpus", () => {
  // Every one of these is loopback once parsed as a browser parses it (WHATWG URL).
  const corpus = [
    "http://127.0.0.1:PORT/",
    "http://2130706433:PORT/", // decimal
    "http://017700000001:PORT/", // octal
    "http://0x7f000001:PORT/", // hex
    "http://0x7f.1:PORT/",
    "http://0177.0.0.1:PORT/",
    "http://127.1:PORT/",
    "http://127.0.1:PORT/",
    "http://127.0.0.1.:PORT/", // trailing dot
    "http://%31%32%37.0.0.1:PORT/", // percent-encoded
    "http://\uFF11\uFF12\uFF17.\uFF10.\uFF10.\uFF11:PORT/", // IDN: fullwidth digits
    "http://0:PORT/", // 0.0.0.0 reaches local services on Linux
    "http://0.0.0.0:PORT/",
    "http://[::1]:PORT/",
    "http://[::]:PORT/",
    "http://[::ffff:127.0.0.1]:PORT/",
    "http://[0:0:0:0:0:ffff:7f00:1]:PORT/",
    "http://[::ffff:7f00:1]:PORT/",
    "http://[64:ff9b::7f00:1]:PORT/",
    "http://[2002:7f00:1::]:PORT/",
    "http://169.254.169.254:PORT/latest/meta-data/",
    "http://[fd00:ec2::254]:PORT/",
  ];
  const client = guardedClient({});
  afterAll(() => client.close());

  it.each(corpus)("refuses %s without connecting", async (template) => {
    const before = hits.length;
    const url = template.replace("PORT", String(port));
    const error = await client.request(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsrfError);
    expect((error as SsrfError).code).toBe("SWITCHYARD_ERR_SSRF");
    expect((error as SsrfError).message).toMatch(/^GET http:\/\/.+: refused to connect to /);
    expect(hits.length).toBe(before);
  });

  it("lets an allow-listed literal through, and only that one", async () => {
    const allowed = guardedClient({ allow: ["127.0.0.1"] });
    try {
      expect(await (await allowed.request(`http://127.0.0.1:${port}/fine`)).text()).toBe("ok");
      await expect(allowed.request(`http://127.0.0.2:${port}/no`)).rejects.toBeInstanceOf(SsrfError);
      await expect(allowed.request(`http://[::ffff:127.0.0.2]:${port}/no`)).rejects.toBeInstanceOf(SsrfError);
    } finally {
      await allowed.close();
    }
  });
  it("decides each literal once, and asked again gives the same answer with an error naming each call", async () => {
    const allowed = guardedClient({ allow: ["127.0.0.1"] });
    try {
      for (let i = 0; i < 3; i++) {
        expect(await (await allowed.request(`http://127.0.0.1:${port}/again${i}`)).text()).toBe("ok");
        const error = await allowed
          .request(`http://169.254.169.254:${port}/call${i}`)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SsrfError);
        expect((error as SsrfError).range).toBe("linkLocal");
        expect((error as SsrfError).url).toBe(`http://169.254.169.254:${port}/call${i}`);
      }
      expect(hits.filter((h) => h.startsWith("/again"))).toEqual(["/again0", "/again1", "/again2"]);
      expect(hits.some((h) => h.startsWith("/call"))).toBe(false);
    } finally {
      await allowed.close();
    }
  });
});

describe("ssrf: names, checked on the address connected to", () => {
  it("refuses a name that resolves to a metadata address, before connecting", async () => {
    const resolve = fakeResolver({ "metadata.test": [[v4("169.254.169.254")]] });
    const client = guardedClient({ resolve });
    try {
      const error = await client
        .request(`http://metadata.test:${port}/latest/meta-data/`)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SsrfError);
      expect(error).toMatchObject({
        address: "169.254.169.254",
        range: "linkLocal",
        hostname: "metadata.test",
      });
      expect((error as Error).message).toBe(
        `GET http://metadata.test:${port}/latest/meta-data/: refused to connect to 169.254.169.254 (metadata.test resolved to it): a linkLocal address; add it to the ssrf allow-list if this is intended`,
      );
      expect(resolve.calls).toEqual(["metadata.test"]);
    } finally {
      await client.close();
    }
  });

  it("checks every resolution: a name that rebinds to a refused address is refused on the next connection", async () => {
    const resolve = fakeResolver({ "rebind.test": [[v4("127.0.0.1")], [v4("127.0.0.2")]] });
    const client = guardedClient({ resolve, allow: ["127.0.0.1"] });
    try {
      expect(await (await client.request(`http://rebind.test:${port}/first`)).text()).toBe("ok");
      // The server closed the connection: the next request opens one and resolves again.
      const error = await client.request(`http://rebind.test:${port}/second`).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "SsrfError", address: "127.0.0.2", range: "loopback" });
      expect(hits).toContain("/first");
      expect(hits).not.toContain("/second");
      expect(resolve.calls).toEqual(["rebind.test", "rebind.test"]);
    } finally {
      await client.close();
    }
  });

  it("connects only to the allowed addresses of a name that resolves to several, and reports the others", async () => {
    const resolve = fakeResolver({ "mixed.test": [[v4("10.0.0.7"), v6("fd00::7"), v4("127.0.0.1")]] });
    const blocked: unknown[] = [];
    const listener = (m: unknown): void => {
      blocked.push(m);
    };
    diagnosticsChannel.subscribe("switchyard:ssrf:blocked", listener);
    const client = guardedClient({ resolve, allow: ["127.0.0.1"] });
    try {
      expect(await (await client.request(`http://mixed.test:${port}/mixed`)).text()).toBe("ok");
      expect(blocked).toEqual([
        expect.objectContaining({ address: "10.0.0.7", range: "private", hostname: "mixed.test" }),
        expect.objectContaining({ address: "fd00::7", range: "uniqueLocal", hostname: "mixed.test" }),
      ]);
    } finally {
      diagnosticsChannel.unsubscribe("switchyard:ssrf:blocked", listener);
      await client.close();
    }
  });

  it("passes the resolver's own failure through as a connect error", async () => {
    const client = guardedClient({ resolve: fakeResolver({}) });
    try {
      const error = await client.request(`http://nowhere.test:${port}/`).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "SWITCHYARD_ERR_CONNECT" });
    } finally {
      await client.close();
    }
  });
});

describe("ssrf with core's dnsCache", () => {
  it("checks through the cache too: the cache resolves with the guard's lookup", async () => {
    const resolve = fakeResolver({
      "metadata.test": [[v4("169.254.169.254")]],
      "ok.test": [[v4("127.0.0.1")]],
    });
    const guard = ssrf({ resolve, allow: ["127.0.0.1"] });
    const client = createClient({ middleware: [guard], lookup: guard.lookup, dnsCache: true });
    try {
      const error = await client.request(`http://metadata.test:${port}/`).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "SsrfError",
        address: "169.254.169.254",
        hostname: "metadata.test",
      });
      expect(await (await client.request(`http://ok.test:${port}/cached`)).text()).toBe("ok");
    } finally {
      await client.close();
    }
  });
});

describe("ssrf: redirect hops", () => {
  it("refuses a redirect to a metadata literal and to a name resolving to a private address", async () => {
    const resolve = fakeResolver({ "internal.test": [[v4("192.168.0.10")]] });
    const client = guardedClient({ resolve, allow: ["127.0.0.1"] });
    try {
      const literal = await client
        .request(
          `http://127.0.0.1:${port}/redirect?to=${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`,
        )
        .catch((e: unknown) => e);
      expect(literal).toMatchObject({ name: "SsrfError", address: "169.254.169.254" });
      const named = await client
        .request(
          `http://127.0.0.1:${port}/redirect?to=${encodeURIComponent(`http://internal.test:${port}/x`)}`,
        )
        .catch((e: unknown) => e);
      expect(named).toMatchObject({ name: "SsrfError", address: "192.168.0.10", hostname: "internal.test" });
    } finally {
      await client.close();
    }
  });
});

describe("ssrf options", () => {
  it("refuses bad options synchronously", () => {
    expect(() => ssrf({ allow: ["localhost"] })).toThrow(InvalidOptionsError);
    expect(() => ssrf({ deny: ["10.0.0.0/99"] })).toThrow(/ssrf deny\[0\]/);
    expect(() => ssrf({ resolve: 3 as never })).toThrow(InvalidOptionsError);
    expect(() => createClient({ lookup: "x" as never })).toThrow(InvalidOptionsError);
  });
});
