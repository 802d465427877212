import type { Middleware } from "@switchyard/core";
import { Context, createClient, credentialKey } from "@switchyard/core";
import type { RegistryPeer, TokenServer } from "@switchyard/test-peers";
import { decodeJwt, pushArtifact, requirePeer, startRegistry } from "@switchyard/test-peers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { OciAuthError } from "../src/errors.ts";
import { oci } from "../src/oci.ts";
import { innerRecorder, listen, memoryStore } from "./helpers.ts";

const registry = requirePeer("registry");
const USERS = { alice: "alice-secret-pw", bob: "bob-secret-pw" };

describe.skipIf(registry.skip)(`oci against the CNCF registry, token auth ${registry.reason}`, () => {
  let peer: RegistryPeer;
  let tokens: TokenServer;
  // Which users may pull which repositories (alice: all; bob: only org/public); anonymous: org/public.
  let grant: (user: string | undefined, name: string) => boolean;

  beforeAll(async () => {
    peer = await startRegistry({
      auth: {
        kind: "token",
        users: USERS,
        anonymous: true,
        authorize: ({ user, name, actions }) => (user === "alice" || grant(user, name) ? actions : []),
      },
    });
    tokens = peer.tokenServer!;
    grant = () => true;
    const auth = { username: "alice", password: USERS.alice };
    await pushArtifact(peer.url, "org/private", "1.0", {
      layers: [{ mediaType: "text/plain", data: "private bytes" }],
      auth,
    });
    await pushArtifact(peer.url, "org/public", "1.0", {
      layers: [{ mediaType: "text/plain", data: "public bytes" }],
      auth,
    });
    await pushArtifact(peer.url, "org/other", "1.0", {
      layers: [{ mediaType: "text/plain", data: "other bytes" }],
      auth,
    });
  });
  afterAll(async () => {
    await peer?.stop();
  });
  beforeEach(() => {
    grant = (user, name) => name === "org/public" || (user === "bob" && name === "org/public");
    tokens.reset();
    tokens.setTokenLifetime(300);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const aliceStore = () =>
    memoryStore({
      [`http://${peer.host}/`]: {
        kind: "basic",
        username: "alice",
        password: USERS.alice,
        allowInsecureHttp: true,
      },
    });

  function client(options: Parameters<typeof oci>[0] = {}, extra: Middleware[] = []) {
    const recorder = innerRecorder();
    const c = createClient({
      middleware: [...extra, recorder, oci({ insecureRegistries: [peer.host], ...options })],
    });
    return { client: c, seen: recorder.seen };
  }

  it("exchanges stored Basic credentials for a token with the repository's pull scope", async () => {
    const store = aliceStore();
    const { client: c, seen } = client({ credentials: store });
    try {
      expect(await (await c.request(`oci://${peer.host}/org/private:1.0`)).text()).toBe("private bytes");
      expect(tokens.requests).toMatchObject([
        { user: "alice", service: tokens.service, scopes: ["repository:org/private:pull"], status: 200 },
      ]);
      expect(store.lookups).toContain(`http://${peer.host}/org/private`);
      // The probe went out without credentials; the registry requests carried the token; the token
      // request carried Basic credentials to the realm and nothing else did.
      expect(seen[0]).toMatchObject({
        url: `http://${peer.host}/v2/`,
        authorization: undefined,
        status: 401,
      });
      expect(seen[1]).toMatchObject({ url: expect.stringContaining(`${tokens.realm}?`), status: 200 });
      expect(seen[1]!.authorization).toMatch(/^Basic /);
      expect(seen.slice(2).every((s) => s.authorization?.startsWith("Bearer ") && s.status === 200)).toBe(
        true,
      );
      const token = seen[2]!.authorization!.slice("Bearer ".length);
      expect(decodeJwt(token).claims).toMatchObject({
        sub: "alice",
        access: [{ name: "org/private", actions: ["pull"] }],
      });
    } finally {
      await c.close();
    }
  });

  it("pulls anonymously when the token endpoint allows it", async () => {
    const { client: c } = client();
    try {
      expect(await (await c.request(`oci://${peer.host}/org/public:1.0`)).text()).toBe("public bytes");
      expect(tokens.requests).toMatchObject([
        { user: undefined, scopes: ["repository:org/public:pull"], status: 200 },
      ]);
    } finally {
      await c.close();
    }
  });

  it("caches the token per repository scope: repeated and concurrent pulls exchange once", async () => {
    const { client: c } = client({ credentials: aliceStore() });
    try {
      for (let i = 0; i < 3; i++)
        expect(await (await c.request(`oci://${peer.host}/org/private:1.0`)).text()).toBe("private bytes");
      expect(tokens.tokensIssued).toBe(1);
      const bodies = await Promise.all(
        Array.from({ length: 6 }, async () => (await c.request(`oci://${peer.host}/org/other:1.0`)).text()),
      );
      expect(bodies).toEqual(Array(6).fill("other bytes"));
      expect(tokens.tokensIssued).toBe(2);
      expect(tokens.requests.map((r) => r.scopes[0])).toEqual([
        "repository:org/private:pull",
        "repository:org/other:pull",
      ]);
    } finally {
      await c.close();
    }
  });

  it("exchanges again once the token's expires_in has passed", async () => {
    tokens.setTokenLifetime(20);
    const { client: c } = client({ credentials: aliceStore() });
    const realNow = Date.now.bind(Date);
    let offset = 0;
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
    try {
      await (await c.request(`oci://${peer.host}/org/private:1.0`)).text();
      offset = 10_000;
      await (await c.request(`oci://${peer.host}/org/private:1.0`)).text();
      expect(tokens.tokensIssued).toBe(1);
      // 20 s tokens are used for 18 s (a tenth of their life is kept as a margin).
      offset = 18_500;
      await (await c.request(`oci://${peer.host}/org/private:1.0`)).text();
      expect(tokens.tokensIssued).toBe(2);
    } finally {
      await c.close();
    }
  });

  it("exchanges again once, and succeeds, when the registry says insufficient_scope", async () => {
    let first = true;
    grant = (user, name) => {
      // The first token is issued without access: the registry answers insufficient_scope.
      if (user === "bob" && name === "org/public" && first) {
        first = false;
        return false;
      }
      return name === "org/public";
    };
    const store = memoryStore({
      [`http://${peer.host}/`]: {
        kind: "basic",
        username: "bob",
        password: USERS.bob,
        allowInsecureHttp: true,
      },
    });
    const { client: c, seen } = client({ credentials: store });
    try {
      expect(await (await c.request(`oci://${peer.host}/org/public:1.0`)).text()).toBe("public bytes");
      expect(tokens.tokensIssued).toBe(2);
      const manifests = seen.filter((s) => s.url.includes("/manifests/"));
      expect(manifests.map((s) => s.status)).toEqual([401, 200]);
    } finally {
      await c.close();
    }
  });

  it("exchanges again once when the registry says invalid_token (an expired token)", async () => {
    // Swaps the first token the endpoint hands out for an expired one the registry must refuse,
    // while the endpoint still claims it lives 300 s.
    let swapped = false;
    const expire: Middleware = {
      name: "test-expire-first-token",
      stage: "send",
      async handle(request, next) {
        const res = await next(request);
        if (swapped || !request.url.startsWith(tokens.realm)) return res;
        swapped = true;
        const body = (await res.json()) as { token: string };
        const { access } = decodeJwt(body.token).claims as { access: never[] };
        const token = tokens.mintToken({ sub: "alice", access, expiresInSeconds: -3600 });
        const { Readable } = await import("node:stream");
        return res.with({ body: Readable.from([Buffer.from(JSON.stringify({ token, expires_in: 300 }))]) });
      },
    };
    const events = listen("switchyard:oci:token");
    const { client: c, seen } = client({ credentials: aliceStore() }, [expire]);
    try {
      expect(await (await c.request(`oci://${peer.host}/org/private:1.0`)).text()).toBe("private bytes");
      expect(tokens.tokensIssued).toBe(2);
      expect(seen.filter((s) => s.url.includes("/manifests/")).map((s) => s.status)).toEqual([401, 200]);
      expect(events.messages.map((m) => m.reason)).toEqual(["missing", "rejected"]);
      // Later pulls use the fresh token.
      await (await c.request(`oci://${peer.host}/org/private:1.0`)).text();
      expect(tokens.tokensIssued).toBe(2);
    } finally {
      events.stop();
      await c.close();
    }
  });

  it("re-exchanges only once: a registry that keeps refusing gives an OciAuthError", async () => {
    grant = () => false;
    const store = memoryStore({
      [`http://${peer.host}/`]: {
        kind: "basic",
        username: "bob",
        password: USERS.bob,
        allowInsecureHttp: true,
      },
    });
    const { client: c, seen } = client({ credentials: store });
    try {
      const error = await c.request(`oci://${peer.host}/org/private:1.0`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OciAuthError);
      expect(error).toMatchObject({ status: 401, code: "SWITCHYARD_ERR_OCI_AUTH" });
      expect((error as OciAuthError).codes).toContain("UNAUTHORIZED");
      expect(tokens.tokensIssued).toBe(2);
      expect(seen.filter((s) => s.url.includes("/manifests/"))).toHaveLength(2);
      // The token endpoint accepted bob: a lack of access is no reason to drop his credentials.
      expect(store.invalidated).toEqual([]);
    } finally {
      await c.close();
    }
  });

  it("fails with OciAuthError when the token endpoint refuses the credentials, and tells the store", async () => {
    const store = memoryStore({
      [`http://${peer.host}/`]: {
        kind: "basic",
        username: "alice",
        password: "not-alices-password",
        allowInsecureHttp: true,
      },
    });
    const { client: c } = client({ credentials: store });
    try {
      const error = await c.request(`oci://${peer.host}/org/private:1.0`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OciAuthError);
      expect((error as Error).message).toMatch(/token endpoint refused the credentials for 127\.0\.0\.1/);
      expect((error as Error).message).not.toContain("not-alices-password");
      expect(store.invalidated).toHaveLength(1);
    } finally {
      await c.close();
    }
  });

  it("refuses anonymous access to a private repository with a hint to give credentials", async () => {
    const { client: c } = client();
    try {
      await expect(c.request(`oci://${peer.host}/org/private:1.0`)).rejects.toThrow(
        /anonymous access was refused; give credentials for 127\.0\.0\.1/,
      );
    } finally {
      await c.close();
    }
  });

  it("does not send stored credentials over plain http without allowInsecureHttp, and says so", async () => {
    const store = memoryStore({
      [`http://${peer.host}/`]: { kind: "basic", username: "alice", password: USERS.alice },
    });
    const { client: c, seen } = client({ credentials: store });
    try {
      await expect(c.request(`oci://${peer.host}/org/private:1.0`)).rejects.toThrow(
        /not sent over plain http/,
      );
      expect(seen.every((s) => !s.authorization?.startsWith("Basic "))).toBe(true);
      expect(tokens.requests.every((r) => r.user === undefined)).toBe(true);
    } finally {
      await c.close();
    }
  });

  it("takes a per-call credential from the context over the store", async () => {
    const { client: c } = client({ credentials: memoryStore({}) });
    try {
      const context = new Context().set(credentialKey, {
        kind: "basic",
        username: "alice",
        password: USERS.alice,
        allowInsecureHttp: true,
      });
      expect(await (await c.request(`oci://${peer.host}/org/private:1.0`, { context })).text()).toBe(
        "private bytes",
      );
      expect(tokens.requests[0]?.user).toBe("alice");
    } finally {
      await c.close();
    }
  });

  it("keeps tokens of different users apart", async () => {
    const { client: c } = client({ credentials: aliceStore() });
    try {
      await (await c.request(`oci://${peer.host}/org/public:1.0`)).text();
      const context = new Context().set(credentialKey, {
        kind: "basic",
        username: "bob",
        password: USERS.bob,
        allowInsecureHttp: true,
      });
      await (await c.request(`oci://${peer.host}/org/public:1.0`, { context })).text();
      expect(tokens.requests.map((r) => r.user)).toEqual(["alice", "bob"]);
    } finally {
      await c.close();
    }
  });

  it("lets an explicit Authorization on the request win: no probe, no exchange", async () => {
    const token = tokens.mintToken({
      sub: "alice",
      access: [{ type: "repository", name: "org/private", actions: ["pull"] }],
    });
    const { client: c, seen } = client({ credentials: aliceStore() });
    try {
      const res = await c.request(`oci://${peer.host}/org/private:1.0`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await res.text()).toBe("private bytes");
      expect(tokens.requests).toEqual([]);
      expect(seen.every((s) => s.authorization === `Bearer ${token}`)).toBe(true);
    } finally {
      await c.close();
    }
  });

  it("publishes token exchanges without token values", async () => {
    const events = listen("switchyard:oci:token");
    const { client: c, seen } = client({ credentials: aliceStore() });
    try {
      await (await c.request(`oci://${peer.host}/org/private:1.0`)).text();
      expect(events.messages).toMatchObject([
        {
          registry: peer.host,
          realm: tokens.realm,
          service: tokens.service,
          scope: "repository:org/private:pull",
          authenticated: true,
          reason: "missing",
          status: 200,
          expiresIn: 300,
        },
      ]);
      const token = seen.at(-1)!.authorization!.slice(7);
      const text = JSON.stringify(events.messages.map(({ context: _c, ...rest }) => rest));
      expect(text).not.toContain(token);
      expect(text).not.toContain(USERS.alice);
    } finally {
      events.stop();
      await c.close();
    }
  });
});
