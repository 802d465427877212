import diagnosticsChannel from "node:diagnostics_channel";
import { inspect } from "node:util";
import {
  requirePeer,
  type SquidPeer,
  startSquid,
  startTinyproxy,
  type TinyproxyPeer,
} from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/client.ts";
import { InvalidOptionsError, SwitchyardError } from "../src/errors.ts";
import { localServer } from "./local-server.ts";

const tinyproxyPeer = requirePeer("tinyproxy");
const squidPeer = requirePeer("squid");

type Origin = Awaited<ReturnType<typeof localServer>>;

function expectNoSecret(error: unknown, secret: string): void {
  const encoded = Buffer.from(`alice:${secret}`).toString("base64");
  const texts = [String(error), JSON.stringify(error), inspect(error, { depth: 8 })];
  let cause: unknown = error;
  while (cause instanceof Error) {
    texts.push(cause.message, String(cause.stack));
    cause = cause.cause;
  }
  for (const text of texts) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encoded);
  }
}

describe('proxy: "env" (validation)', () => {
  it("refuses an unusable proxy variable when the client is built, naming the variable, not the secret", () => {
    expect(() =>
      createClient({ proxy: { from: "env", env: { https_proxy: "socks5://proxy:1080" } } }),
    ).toThrow(/the proxy variable for https: URLs: proxy URL must be http: or https:, got socks5:/);
    let error: unknown;
    try {
      createClient({ proxy: { from: "env", env: { http_proxy: "http://alice:hunter2@[bad" } } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expectNoSecret(error, "hunter2");
    expect(() =>
      createClient({ proxy: { from: "env", env: {}, rules: [{ hosts: "", proxy: false }] } }),
    ).toThrow(InvalidOptionsError);
  });

  it("reads process.env only when asked, once, when the client is built", async () => {
    const origin = await localServer((_req, res) => res.end("direct"));
    const saved = process.env.http_proxy;
    // A proxy that is not there: a client that read it would fail to connect.
    process.env.http_proxy = "http://127.0.0.1:9";
    try {
      const plain = createClient();
      expect(await (await plain.request(`${origin.url}/`)).text()).toBe("direct");
      await plain.close();
      const fromEnv = createClient({ proxy: "env" });
      delete process.env.http_proxy;
      const error = await fromEnv.request(`${origin.url}/`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SwitchyardError);
      expect((error as SwitchyardError).code).toBe("SWITCHYARD_ERR_CONNECT");
      await fromEnv.close();
    } finally {
      if (saved === undefined) delete process.env.http_proxy;
      else process.env.http_proxy = saved;
      await origin.close();
    }
  });
});

describe.skipIf(tinyproxyPeer.skip)(`proxy: "env" through tinyproxy ${tinyproxyPeer.reason}`, () => {
  let origin: Origin;
  let open: TinyproxyPeer;
  let guarded: TinyproxyPeer;
  beforeAll(async () => {
    origin = await localServer((req, res) => res.end(`origin ${req.url}`));
    [open, guarded] = await Promise.all([
      startTinyproxy(),
      startTinyproxy({ basicAuth: { user: "alice", password: "tp-secret" } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open.stop(), guarded.stop(), origin.close()]);
  });

  it("sends http: requests through http_proxy as absolute-form requests, as curl does", async () => {
    const client = createClient({ proxy: { from: "env", env: { http_proxy: open.url } } });
    try {
      expect(await (await client.request(`${origin.url}/a`)).text()).toBe("origin /a");
      expect(open.requests()).toContainEqual({ method: "GET", target: `${origin.url}/a` });
    } finally {
      await client.close();
    }
  });

  it("connects directly to hosts NO_PROXY exempts (CIDR), and through the proxy otherwise", async () => {
    const client = createClient({
      proxy: { from: "env", env: { ALL_PROXY: open.url, NO_PROXY: "example.invalid, 127.0.0.0/8" } },
    });
    const before = open.requests().length;
    try {
      expect(await (await client.request(`${origin.url}/direct`)).text()).toBe("origin /direct");
      expect(open.requests().length).toBe(before);
      expect(origin.seen.at(-1)?.url).toBe("/direct");
    } finally {
      await client.close();
    }
  });

  it("lets a per-host rule with a port win over the environment", async () => {
    const client = createClient({
      proxy: {
        from: "env",
        env: { http_proxy: "http://127.0.0.1:9", no_proxy: "*" },
        rules: [{ hosts: `127.0.0.1:${origin.port}`, proxy: open.url }],
      },
    });
    try {
      expect(await (await client.request(`${origin.url}/ruled`)).text()).toBe("origin /ruled");
      expect(open.requests()).toContainEqual({ method: "GET", target: `${origin.url}/ruled` });
    } finally {
      await client.close();
    }
  });

  it("sends the proxy URL's userinfo as Proxy-Authorization, and keeps it out of errors", async () => {
    const withCreds = guarded.url.replace("://", "://alice:tp-secret@");
    const good = createClient({ proxy: { from: "env", env: { http_proxy: withCreds }, tunnel: true } });
    const bad = createClient({
      proxy: {
        from: "env",
        env: { http_proxy: guarded.url.replace("://", "://alice:wrong-secret@") },
        tunnel: true,
      },
    });
    try {
      expect(await (await good.request(`${origin.url}/auth`)).text()).toBe("origin /auth");
      expect(guarded.connects()).toContain(`127.0.0.1:${origin.port}`);
      const error = await bad.request(`${origin.url}/auth`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SwitchyardError);
      expectNoSecret(error, "wrong-secret");
    } finally {
      await Promise.all([good.close(), bad.close()]);
    }
  });
});

describe.skipIf(squidPeer.skip)(`proxy: "env" through squid ${squidPeer.reason}`, () => {
  let origin: Origin;
  let squid: SquidPeer;
  beforeAll(async () => {
    origin = await localServer((req, res) => res.end(`origin ${req.url}`));
    // One squid per file (it takes a second or two to stop); it requires proxy credentials.
    squid = await startSquid({ basicAuth: { user: "alice", password: "sq-secret" } });
  });
  afterAll(async () => {
    await Promise.all([squid.stop(), origin.close()]);
  });

  it("goes through squid with the userinfo of http_proxy, absolute-form and tunnelled", async () => {
    const env = { http_proxy: squid.url.replace("://", "://alice:sq-secret@") };
    const plain = createClient({ proxy: { from: "env", env } });
    const tunnelled = createClient({ proxy: { from: "env", env, tunnel: true } });
    try {
      expect(await (await plain.request(`${origin.url}/plain`)).text()).toBe("origin /plain");
      expect(await (await tunnelled.request(`${origin.url}/tunnel`)).text()).toBe("origin /tunnel");
    } finally {
      await Promise.all([plain.close(), tunnelled.close()]);
    }
    const log = await squid.accessLog();
    expect(log).toContainEqual(
      expect.objectContaining({ method: "GET", target: `${origin.url}/plain`, user: "alice" }),
    );
    expect(log).toContainEqual(
      expect.objectContaining({ method: "CONNECT", target: `127.0.0.1:${origin.port}`, user: "alice" }),
    );
  });

  it("gets squid's 407 without credentials, and a typed error without the secret when tunnelling with wrong ones", async () => {
    const anonymous = createClient({ proxy: { from: "env", env: { http_proxy: squid.url } } });
    const wrong = createClient({
      proxy: {
        from: "env",
        env: { http_proxy: squid.url.replace("://", "://alice:not-sq-secret@") },
        tunnel: true,
      },
    });
    try {
      // Absolute-form: undici hands squid's 407 back as an error, as it does for CONNECT.
      const refused = await anonymous.request(`${origin.url}/anon`).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SwitchyardError);
      expect(String((refused as Error).message)).toMatch(/407/);
      const error = await wrong.request(`${origin.url}/wrong`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SwitchyardError);
      expectNoSecret(error, "not-sq-secret");
    } finally {
      await Promise.all([anonymous.close(), wrong.close()]);
    }
    const log = await squid.accessLog();
    expect(log.filter((entry) => entry.result.endsWith("/407")).length).toBeGreaterThanOrEqual(2);
  });
});

describe("switchyard:core:proxy", () => {
  it("tells the route chosen for each new origin, with the proxy URL redacted", async () => {
    const origin = await localServer((_req, res) => res.end("direct"));
    const events: unknown[] = [];
    const listener = (message: unknown): void => {
      events.push(message);
    };
    diagnosticsChannel.subscribe("switchyard:core:proxy", listener);
    const client = createClient({
      proxy: {
        from: "env",
        env: { http_proxy: "http://alice:ev-secret@127.0.0.1:9", no_proxy: "127.0.0.1" },
      },
    });
    try {
      await (await client.request(`${origin.url}/1`)).discard();
      await (await client.request(`${origin.url}/2`)).discard();
      expect(events).toEqual([{ origin: origin.url, proxy: undefined }]);
      const viaProxy = createClient({
        proxy: { from: "env", env: { http_proxy: "http://alice:ev-secret@127.0.0.1:9" } },
      });
      await viaProxy.request(`${origin.url}/3`).catch(() => undefined);
      await viaProxy.close();
      expect(events[1]).toEqual({ origin: origin.url, proxy: "http://***@127.0.0.1:9/" });
      expect(JSON.stringify(events)).not.toContain("ev-secret");
    } finally {
      diagnosticsChannel.unsubscribe("switchyard:core:proxy", listener);
      await client.close();
      await origin.close();
    }
  });
});
