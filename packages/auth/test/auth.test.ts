import { Readable } from "node:stream";
import type { Credential, Middleware } from "@switchyard/core";
import { Context, createClient, credentialKey, isSwitchyardError } from "@switchyard/core";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { getTestCertificates } from "@switchyard/testkit/tls";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { basicAuthorization } from "../src/apply-credential.ts";
import { auth } from "../src/auth.ts";
import { CredentialExpiredError, InsecureCredentialError } from "../src/errors.ts";
import { memoryStore } from "../src/stores/memory-store.ts";
import { AUTH_CHANNELS, captureChannels, requireAuthorization } from "./helpers.ts";

const { ca } = getTestCertificates();
let secure: TestServer;
let plain: TestServer;
let secureHost: string;

beforeAll(async () => {
  secure = await startTestServer({ tls: true });
  plain = await startTestServer();
  secureHost = new URL(secure.origin).host;
});
afterAll(async () => {
  await secure.close();
  await plain.close();
});
beforeEach(() => {
  secure.reset();
  plain.reset();
});

function client(middleware: Middleware[]) {
  return createClient({ middleware, tls: { ca } });
}

describe("auth: stage and shape", () => {
  it("is an authorize-stage middleware named auth", () => {
    const m = auth({ stores: [] });
    expect(m.name).toBe("auth");
    expect(m.stage).toBe("authorize");
    expect(m.store.stores).toEqual([]);
  });

  it("rejects bad options synchronously", () => {
    expect(() => auth(undefined as never)).toThrow(/stores/);
    expect(() => auth({ stores: "x" as never })).toThrow(/array/);
    expect(() => auth({ stores: [], onInsecureHttp: "warn" as never })).toThrow(/onInsecureHttp/);
    expect(() => auth({ stores: [], allowInsecureHttp: ["bad*host"] })).toThrow(/allowInsecureHttp\[0\]/);
  });
});

describe("auth against real local servers", () => {
  it("sends a bearer token to a server that requires it", async () => {
    secure.route(
      "/*",
      requireAuthorization(() => "Bearer tok-1"),
    );
    const c = client([auth({ stores: [memoryStore({ [secureHost]: { kind: "bearer", token: "tok-1" } })] })]);
    try {
      const res = await c.request(`${secure.origin}/private/file`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("authorized");
      expect(secure.requests[0]?.headers.authorization).toBe("Bearer tok-1");
    } finally {
      await c.close();
    }
  });

  it("sends basic credentials to a server that requires them", async () => {
    secure.route(
      "/*",
      requireAuthorization(() => basicAuthorization("alice", "pä:ss"), 'Basic realm="t"'),
    );
    const c = client([
      auth({
        stores: [memoryStore({ "127.0.0.1": { kind: "basic", username: "alice", password: "pä:ss" } })],
      }),
    ]);
    try {
      expect((await c.request(`${secure.origin}/x`)).status).toBe(200);
    } finally {
      await c.close();
    }
  });

  it("sends a custom header, and never overwrites one the request has", async () => {
    secure.route("/*", { status: 204 });
    const c = client([
      auth({
        stores: [memoryStore({ [secureHost]: { kind: "header", name: "X-API-Key", value: "key-1" } })],
      }),
    ]);
    try {
      await (await c.request(`${secure.origin}/a`)).discard();
      await (await c.request(`${secure.origin}/b`, { headers: { "x-api-key": "mine" } })).discard();
      expect(secure.requests.map((r) => r.headers["x-api-key"])).toEqual(["key-1", "mine"]);
    } finally {
      await c.close();
    }
  });

  it("never overwrites an Authorization already on the request", async () => {
    secure.route("/*", { status: 204 });
    const c = client([
      auth({ stores: [memoryStore({ [secureHost]: { kind: "bearer", token: "stored" } })] }),
    ]);
    try {
      await (
        await c.request(`${secure.origin}/x`, { headers: { authorization: "Bearer explicit" } })
      ).discard();
      expect(secure.requests[0]?.headers.authorization).toBe("Bearer explicit");
    } finally {
      await c.close();
    }
  });

  it("inserts a conda token at the start of the path, never twice", async () => {
    secure.route("/*", { status: 204 });
    const c = client([
      auth({ stores: [memoryStore({ [secureHost]: { kind: "conda-token", token: "ct-9" } })] }),
    ]);
    try {
      await (await c.request(`${secure.origin}/channel/noarch/repodata.json?x=1`)).discard();
      await (await c.request(`${secure.origin}/t/ct-9/channel/noarch/x.conda`)).discard();
      await (await c.request(`${secure.origin}/t/other/channel/y.conda`)).discard();
      expect(secure.requests.map((r) => r.url)).toEqual([
        "/t/ct-9/channel/noarch/repodata.json?x=1",
        "/t/ct-9/channel/noarch/x.conda",
        "/t/other/channel/y.conda",
      ]);
      expect(secure.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    } finally {
      await c.close();
    }
  });

  it("does not apply s3 keys itself (the s3 plugin signs with them)", async () => {
    secure.route("/*", { status: 204 });
    const c = client([
      auth({
        stores: [memoryStore({ [secureHost]: { kind: "s3", accessKeyId: "AKIA", secretAccessKey: "s" } })],
      }),
    ]);
    try {
      await (await c.request(`${secure.origin}/x`)).discard();
      expect(secure.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await c.close();
    }
  });

  it("stores in priority order: the first store with a credential wins", async () => {
    secure.route("/*", { status: 204 });
    const high = memoryStore({ [secureHost]: { kind: "bearer", token: "high" } });
    const low = memoryStore({
      [secureHost]: { kind: "bearer", token: "low" },
      "*.example.com": { kind: "bearer", token: "x" },
    });
    const c1 = client([auth({ stores: [high, low] })]);
    const c2 = client([auth({ stores: [low, high] })]);
    try {
      await (await c1.request(`${secure.origin}/x`)).discard();
      await (await c2.request(`${secure.origin}/x`)).discard();
      expect(secure.requests.map((r) => r.headers.authorization)).toEqual(["Bearer high", "Bearer low"]);
    } finally {
      await c1.close();
      await c2.close();
    }
  });

  it("credentials passed for the call through the context win over every store", async () => {
    secure.route("/*", { status: 204 });
    const c = client([
      auth({ stores: [memoryStore({ [secureHost]: { kind: "bearer", token: "stored" } })] }),
    ]);
    try {
      const context = new Context().set(credentialKey, { kind: "basic", username: "per", password: "call" });
      await (await c.request(`${secure.origin}/x`, { context })).discard();
      await (await c.request(`${secure.origin}/y`)).discard();
      expect(secure.requests.map((r) => r.headers.authorization)).toEqual([
        basicAuthorization("per", "call"),
        "Bearer stored",
      ]);
    } finally {
      await c.close();
    }
  });

  it("sends a request to a host no store names as it is, and uses a key added at run time on the next one", async () => {
    secure.route("/*", { status: 204 });
    const memory = memoryStore({ "other.example.com": { kind: "bearer", token: "elsewhere" } });
    const m = auth({ stores: [memory] });
    const c = client([m]);
    try {
      await (await c.request(`${secure.origin}/a`)).discard();
      // Passed over without a lookup: no miss was recorded for it.
      expect(m.store.isKnownMiss(`${secure.origin}/a`)).toBe(false);
      const context = new Context().set(credentialKey, { kind: "bearer", token: "per-call" });
      await (await c.request(`${secure.origin}/b`, { context })).discard();
      memory.set(secureHost, { kind: "bearer", token: "added" });
      await (await c.request(`${secure.origin}/c`)).discard();
      memory.delete(secureHost);
      await (await c.request(`${secure.origin}/d`)).discard();
      expect(secure.requests.map((r) => r.headers.authorization)).toEqual([
        undefined,
        "Bearer per-call",
        "Bearer added",
        undefined,
      ]);
    } finally {
      await c.close();
    }
  });

  it("rejects an invalid per-call credential with a clear error", async () => {
    const c = client([auth({ stores: [] })]);
    try {
      const context = new Context().set(credentialKey, { kind: "bearer", token: "" } as Credential);
      await expect(c.request(`${secure.origin}/x`, { context })).rejects.toMatchObject({
        code: "SWITCHYARD_ERR_INVALID_REQUEST",
      });
      expect(secure.requests).toHaveLength(0);
    } finally {
      await c.close();
    }
  });

  it("never sends an expired bearer token", async () => {
    secure.route("/*", { status: 204 });
    const c = client([
      auth({
        stores: [
          memoryStore({ [secureHost]: { kind: "bearer", token: "old", expiresAt: Date.now() - 1000 } }),
        ],
      }),
    ]);
    try {
      const error = await c.request(`${secure.origin}/x`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialExpiredError);
      expect(isSwitchyardError(error, "SWITCHYARD_ERR_AUTH_EXPIRED")).toBe(true);
      expect(secure.requests).toHaveLength(0);
    } finally {
      await c.close();
    }
  });

  it("looks credentials up for the URL after the route stage rewrote it (stage order, any list order)", async () => {
    secure.route("/*", { status: 204 });
    // A tiny mirror-like middleware: sends everything for mirror.invalid to the test server.
    const rewrite: Middleware = {
      name: "rewrite",
      stage: "route",
      handle: (request, next) =>
        next(request.with({ url: request.url.replace("https://mirror.invalid", secure.origin) })),
    };
    const c = client([
      auth({ stores: [memoryStore({ [secureHost]: { kind: "bearer", token: "for-mirror" } })] }),
      rewrite,
    ]);
    try {
      await (await c.request("https://mirror.invalid/pkg")).discard();
      expect(secure.requests[0]?.headers.authorization).toBe("Bearer for-mirror");
    } finally {
      await c.close();
    }
  });
});

describe("auth over plain http", () => {
  const stored = (extra: Partial<Credential> = {}) =>
    memoryStore({ "127.0.0.1": { kind: "bearer", token: "insecure-tok", ...extra } as Credential });

  it("by default sends the request without the credential and publishes a skipped event", async () => {
    plain.route("/*", { status: 204 });
    const cap = captureChannels(AUTH_CHANNELS);
    const c = client([auth({ stores: [stored()] })]);
    try {
      await (await c.request(`${plain.origin}/x`)).discard();
      expect(plain.requests[0]?.headers.authorization).toBeUndefined();
      expect(cap.events).toEqual([
        {
          channel: "switchyard:auth:skipped",
          message: {
            method: "GET",
            url: `${plain.origin}/x`,
            store: "memory",
            kind: "bearer",
            reason: "insecure-http",
          },
        },
      ]);
    } finally {
      cap.stop();
      await c.close();
    }
  });

  it("fails with InsecureCredentialError when asked to", async () => {
    plain.route("/*", { status: 204 });
    const c = client([auth({ stores: [stored()], onInsecureHttp: "error" })]);
    try {
      const error = await c.request(`${plain.origin}/x`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InsecureCredentialError);
      expect((error as Error).message).toContain(`GET ${plain.origin}/x`);
      expect(plain.requests).toHaveLength(0);
    } finally {
      await c.close();
    }
  });

  it("sends it when the entry or the option allows plain http", async () => {
    plain.route("/*", { status: 204 });
    const byEntry = client([auth({ stores: [stored({ allowInsecureHttp: true })] })]);
    const byOption = client([auth({ stores: [stored()], allowInsecureHttp: [`127.0.0.1:${plain.port}`] })]);
    const otherPort = client([auth({ stores: [stored()], allowInsecureHttp: ["127.0.0.1:1"] })]);
    try {
      await (await byEntry.request(`${plain.origin}/a`)).discard();
      await (await byOption.request(`${plain.origin}/b`)).discard();
      await (await otherPort.request(`${plain.origin}/c`)).discard();
      expect(plain.requests.map((r) => r.headers.authorization)).toEqual([
        "Bearer insecure-tok",
        "Bearer insecure-tok",
        undefined,
      ]);
    } finally {
      await byEntry.close();
      await byOption.close();
      await otherPort.close();
    }
  });
});

describe("auth and redirects through core", () => {
  let other: TestServer;
  beforeAll(async () => {
    other = await startTestServer({ tls: true });
  });
  afterAll(async () => {
    await other.close();
  });
  beforeEach(() => other.reset());

  it("drops the credential on a cross-origin redirect and looks the new host up", async () => {
    const otherHost = new URL(other.origin).host;
    secure.route("/start", { status: 302, headers: { location: `${other.origin}/landing` } });
    other.route("/*", { status: 204 });
    const stores = [memoryStore({ [secureHost]: { kind: "bearer", token: "origin-only" } })];
    const c = client([auth({ stores })]);
    try {
      const res = await c.request(`${secure.origin}/start`);
      expect(res.status).toBe(204);
      expect(res.redirected).toBe(true);
      expect(secure.requests[0]?.headers.authorization).toBe("Bearer origin-only");
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await c.close();
    }
    // With a credential for the target, the target gets its own (never the origin's).
    const c2 = client([
      auth({
        stores: [
          memoryStore({
            [secureHost]: { kind: "bearer", token: "origin-only" },
            [otherHost]: { kind: "bearer", token: "target-own" },
          }),
        ],
      }),
    ]);
    try {
      await (await c2.request(`${secure.origin}/start`)).discard();
      expect(other.requests[1]?.headers.authorization).toBe("Bearer target-own");
    } finally {
      await c2.close();
    }
  });

  it("keeps a same-origin redirect authorized, and never carries a per-call credential to another origin", async () => {
    secure.route("/same", { status: 307, headers: { location: "/there" } });
    secure.route("/there", { status: 302, headers: { location: `${other.origin}/away` } });
    other.route("/*", { status: 204 });
    const c = client([auth({ stores: [] })]);
    try {
      const context = new Context().set(credentialKey, { kind: "bearer", token: "per-call" });
      await (await c.request(`${secure.origin}/same`, { context })).discard();
      expect(secure.requests.map((r) => r.headers.authorization)).toEqual([
        "Bearer per-call",
        "Bearer per-call",
      ]);
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await c.close();
    }
  });

  it("a conda token in the path is not carried to another origin", async () => {
    secure.route("/*", { status: 302, headers: { location: `${other.origin}/cdn/pkg.conda` } });
    other.route("/*", { status: 204 });
    const c = client([
      auth({ stores: [memoryStore({ [secureHost]: { kind: "conda-token", token: "ct" } })] }),
    ]);
    try {
      await (await c.request(`${secure.origin}/channel/pkg.conda`)).discard();
      expect(secure.requests[0]?.url).toBe("/t/ct/channel/pkg.conda");
      expect(other.requests[0]?.url).toBe("/cdn/pkg.conda");
    } finally {
      await c.close();
    }
  });
});

describe("auth with one-shot bodies", () => {
  it("sends a stream body once with the credential", async () => {
    secure.route("/*", { status: 204 });
    const c = client([auth({ stores: [memoryStore({ [secureHost]: { kind: "bearer", token: "t" } })] })]);
    try {
      await (
        await c.request(`${secure.origin}/upload`, {
          method: "PUT",
          body: Readable.from([Buffer.from("abc")]),
        })
      ).discard();
      await secure.waitForRequests(1);
      expect(secure.requests[0]).toMatchObject({ method: "PUT", bodyBytes: 3 });
      expect(secure.requests[0]?.headers.authorization).toBe("Bearer t");
    } finally {
      await c.close();
    }
  });
});
