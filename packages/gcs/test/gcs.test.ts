import diagnosticsChannel from "node:diagnostics_channel";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { Middleware } from "@switchyard/core";
import { Context, createClient, credentialKey, HttpRequest, servedByKey } from "@switchyard/core";
import {
  type GcsStandIn,
  installLoopbackGuard,
  makeServiceAccountKey,
  type OAuthStandIn,
  startGcsStandIn,
  startOAuthStandIn,
} from "@switchyard/test-peers/gcs";
import { GoogleAuth, OAuth2Client } from "google-auth-library";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  GcsError,
  type GcsOptions,
  GcsRequestError,
  GcsTokenError,
  gcs,
  gcsUrl,
  googleAuth,
  metadataServer,
  READ_WRITE_SCOPE,
  serviceAccount,
  staticToken,
} from "../src/index.ts";

const clock = { now: Date.now() };
const now = () => clock.now;
const MIN = 60_000;
let oauth: OAuthStandIn;
let server: GcsStandIn;
let sa: ReturnType<typeof makeServiceAccountKey>;
let guard: ReturnType<typeof installLoopbackGuard>;

// Everything published on Switchyard channels during the tests, to check for secrets.
const published: unknown[] = [];
const channels = ["gcs:token", "gcs:request", "gcs:error", "core:request", "core:response", "core:error"].map(
  (n) => diagnosticsChannel.channel(`switchyard:${n}`),
);
const collect = (message: unknown) => published.push(message);

beforeAll(async () => {
  guard = installLoopbackGuard();
  for (const c of channels) c.subscribe(collect);
  sa = makeServiceAccountKey("http://127.0.0.1:1/token");
  oauth = await startOAuthStandIn({ accounts: [sa.account], now });
  sa = { ...sa, key: { ...sa.key, token_uri: oauth.tokenUri } };
  server = await startGcsStandIn({
    buckets: ["bkt"],
    publicBuckets: ["bkt-public"],
    checkToken: (t) => oauth.check(t),
  });
});
afterEach(() => {
  oauth.setExpiresIn(3600);
});
afterAll(async () => {
  for (const c of channels) c.unsubscribe(collect);
  await server?.stop();
  await oauth?.stop();
  guard?.uninstall();
  expect(guard.attempts).toEqual([]);
});

function options(extra: GcsOptions = {}): GcsOptions {
  return { auth: serviceAccount(sa.key), endpoint: server.url, now, scopes: [READ_WRITE_SCOPE], ...extra };
}

async function withClient<T>(
  middleware: Middleware[],
  run: (c: ReturnType<typeof createClient>) => Promise<T>,
): Promise<T> {
  const client = createClient({ middleware });
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

const tokenRequests = () => oauth.requests.filter((r) => r.path === "/token").length;

describe("gcs", () => {
  it("exchanges a service-account JWT at the key's token_uri and uploads and downloads with the token", async () => {
    const before = oauth.requests.length;
    await withClient([gcs(options())], async (client) => {
      const put = await client.request("gs://bkt/dir/hello world+1.txt", {
        method: "PUT",
        body: "hello gcs",
        headers: { "content-type": "text/plain" },
      });
      expect(put.status).toBe(200);
      await put.discard();
      const context = new Context();
      const get = await client.request("gs://bkt/dir/hello world+1.txt", { context });
      expect(await get.text()).toBe("hello gcs");
      expect(context.get(servedByKey)).toEqual({ kind: "bucket", url: `${server.url}/bkt/` });
    });
    const exchanges = oauth.requests.slice(before);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({
      status: 200,
      kid: sa.key.private_key_id,
      claims: { iss: sa.key.client_email, aud: oauth.tokenUri, scope: READ_WRITE_SCOPE },
    });
    const claims = exchanges[0]?.claims as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(3600);
    expect(server.objects.get("bkt/dir/hello world+1.txt")?.contentType).toBe("text/plain");
  });

  it("asks for the read-only scope by default", async () => {
    const before = oauth.requests.length;
    await withClient([gcs({ auth: serviceAccount(sa.key), endpoint: server.url, now })], async (client) => {
      server.objects.set("bkt/ro.txt", {
        data: Buffer.from("ro"),
        contentType: "text/plain",
        generation: 1,
        md5: "",
      });
      expect(await (await client.request("gs://bkt/ro.txt")).text()).toBe("ro");
      const error = await client.request("gs://bkt/ro.txt", { method: "DELETE" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GcsError);
      expect(error).toMatchObject({ status: 403, reason: "insufficientPermissions" });
      expect((error as Error).message).toContain("read-only scope");
    });
    expect(oauth.requests[before]?.claims).toMatchObject({
      scope: "https://www.googleapis.com/auth/devstorage.read_only",
    });
  });

  it("fetches one token for 100 concurrent requests", async () => {
    server.objects.set("bkt/many.txt", {
      data: Buffer.from("many"),
      contentType: "text/plain",
      generation: 1,
      md5: "",
    });
    const before = tokenRequests();
    const firstRequest = server.requests.length;
    await withClient([gcs(options())], async (client) => {
      const bodies = await Promise.all(
        Array.from({ length: 100 }, async () => (await client.request("gs://bkt/many.txt")).text()),
      );
      expect(bodies.every((b) => b === "many")).toBe(true);
    });
    expect(tokenRequests() - before).toBe(1);
    const tokens = new Set(server.requests.slice(firstRequest).map((r) => r.token));
    expect(tokens.size).toBe(1);
    expect(server.requests.length - firstRequest).toBe(100);
  });

  it("reuses the token until shortly before expiry, refreshes once, and never sends an expired token", async () => {
    server.objects.set("bkt/t.txt", {
      data: Buffer.from("t"),
      contentType: "text/plain",
      generation: 1,
      md5: "",
    });
    oauth.setExpiresIn(600);
    const start = clock.now;
    const before = tokenRequests();
    const first = server.requests.length;
    try {
      await withClient([gcs(options())], async (client) => {
        const get = async () => (await client.request("gs://bkt/t.txt")).text();
        await get();
        clock.now = start + 4 * MIN;
        await get();
        expect(tokenRequests() - before).toBe(1);
        clock.now = start + 5 * MIN + 1;
        await Promise.all([get(), get(), get()]);
        expect(tokenRequests() - before).toBe(2);
        // The refreshed token expires at start+5min+10min; past that, a failing endpoint means no request at all.
        clock.now = start + 16 * MIN;
        oauth.failNext(1, 503, '{"error":"backend_error"}');
        const sent = server.requests.length;
        const error = await client.request("gs://bkt/t.txt").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GcsTokenError);
        expect(server.requests.length).toBe(sent);
        expect(await get()).toBe("t");
      });
      const tokens = server.requests.slice(first).map((r) => r.token);
      expect(new Set(tokens).size).toBe(3);
      // Every token that reached the server was valid when it arrived.
      expect(server.requests.slice(first).every((r) => r.status === 200)).toBe(true);
    } finally {
      clock.now = Date.now();
    }
  });

  it("turns a failed token exchange into GcsTokenError naming the OAuth error, without secrets, and retries next time", async () => {
    oauth.failNext(1, 400, '{"error":"invalid_grant","error_description":"Invalid JWT Signature."}');
    await withClient([gcs(options())], async (client) => {
      const error = await client.request("gs://bkt/x").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GcsTokenError);
      const e = error as GcsTokenError;
      expect(e).toMatchObject({
        problem: "refresh-failed",
        provider: "service-account",
        code: "SWITCHYARD_ERR_GCS_TOKEN",
      });
      expect(e.message).toMatch(
        /^GET http:\/\/127\.0\.0\.1:\d+\/bkt\/x: service-account: the token endpoint .* answered 400: invalid_grant: Invalid JWT Signature\.$/,
      );
      const res = await client.request("gs://bkt/many.txt");
      expect(res.status).toBe(200);
      await res.discard();
    });
  });

  it("reports an unreachable token endpoint as GcsTokenError", async () => {
    const key = { ...sa.key, token_uri: "http://127.0.0.1:1/token" };
    await withClient([gcs(options({ auth: serviceAccount(key) }))], async (client) => {
      await expect(client.request("gs://bkt/x")).rejects.toMatchObject({
        name: "GcsTokenError",
        problem: "refresh-failed",
      });
    });
  });

  it("downloads a byte range", async () => {
    server.objects.set("bkt/range.bin", {
      data: Buffer.from("0123456789"),
      contentType: "application/octet-stream",
      generation: 1,
      md5: "",
    });
    await withClient([gcs(options())], async (client) => {
      const res = await client.request("gs://bkt/range.bin", { headers: { range: "bytes=2-5" } });
      expect(res.status).toBe(206);
      expect(res.headers.get("content-range")).toBe("bytes 2-5/10");
      expect(await res.text()).toBe("2345");
    });
  });

  it("uploads a stream and HEADs and DELETEs the object", async () => {
    await withClient([gcs(options())], async (client) => {
      const body = Readable.from([Buffer.from("streamed "), Buffer.from("upload")]);
      const put = await client.request(gcsUrl("bkt", "up/ünï cödé.bin"), { method: "PUT", body });
      expect(put.status).toBe(200);
      await put.discard();
      const head = await client.request(gcsUrl("bkt", "up/ünï cödé.bin"), { method: "HEAD" });
      expect(head.headers.get("content-length")).toBe("15");
      await head.discard();
      const del = await client.request(gcsUrl("bkt", "up/ünï cödé.bin"), { method: "DELETE" });
      expect(del.status).toBe(204);
      await del.discard();
      await expect(client.request(gcsUrl("bkt", "up/ünï cödé.bin"))).rejects.toMatchObject({
        status: 404,
        reason: "NoSuchKey",
      });
    });
    expect(server.objects.has("bkt/up/ünï cödé.bin")).toBe(false);
  });

  it("speaks the JSON API when asked: alt=media download with Range, media upload, delete", async () => {
    await withClient([gcs(options({ api: "json" }))], async (client) => {
      const put = await client.request("gcs://bkt/json/a b.txt", {
        method: "PUT",
        body: "json api",
        headers: { "content-type": "text/plain" },
      });
      expect(put.status).toBe(200);
      expect(await put.json()).toMatchObject({ name: "json/a b.txt", size: "8" });
      const range = await client.request("gcs://bkt/json/a b.txt", { headers: { range: "bytes=5-" } });
      expect([range.status, await range.text()]).toEqual([206, "api"]);
      const del = await client.request("gcs://bkt/json/a b.txt", { method: "DELETE" });
      expect(del.status).toBe(204);
      await del.discard();
      await expect(client.request("gcs://bkt/json/a b.txt")).rejects.toMatchObject({
        status: 404,
        reason: "notFound",
      });
      await expect(client.request("gcs://bkt/json/a b.txt", { method: "HEAD" })).rejects.toMatchObject({
        name: "GcsRequestError",
        problem: "unsupported-method",
      });
    });
    const urls = server.requests
      .filter((r) => r.url.includes("json%2Fa%20b.txt"))
      .map((r) => `${r.method} ${r.url}`);
    expect(urls[0]).toBe("POST /upload/storage/v1/b/bkt/o?uploadType=media&name=json%2Fa%20b.txt");
    expect(urls[1]).toBe("GET /storage/v1/b/bkt/o/json%2Fa%20b.txt?alt=media");
  });

  it("turns a 401 with Google's JSON envelope into GcsError, without the token", async () => {
    const bogus = "ya29.bogus-token-value";
    await withClient([gcs({ auth: staticToken(bogus), endpoint: server.url })], async (client) => {
      const error = await client.request("gs://bkt/x").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GcsError);
      const e = error as GcsError;
      expect(e).toMatchObject({
        status: 401,
        reason: "authError",
        gcsMessage: "Invalid Credentials",
        code: "SWITCHYARD_ERR_GCS",
      });
      expect(e.message).toContain("the token was refused");
      expect(JSON.stringify({ ...e, message: e.message, stack: e.stack })).not.toContain(bogus);
    });
    await withClient([gcs({ endpoint: server.url })], async (client) => {
      await expect(client.request("gs://bkt/x")).rejects.toMatchObject({ status: 401, reason: "required" });
      const pub = await client.request("gs://bkt-public/none").catch((e: unknown) => e);
      expect(pub).toMatchObject({ status: 404 });
    });
  });

  it("drops a cached token that GCS refuses and fetches a new one", async () => {
    server.objects.set("bkt/r.txt", {
      data: Buffer.from("r"),
      contentType: "text/plain",
      generation: 1,
      md5: "",
    });
    await withClient([gcs(options())], async (client) => {
      await (await client.request("gs://bkt/r.txt")).discard();
      // Revoke every token the stand-in issued.
      for (const t of [...oauth.issued.keys()]) (oauth.issued as Map<string, unknown>).delete(t);
      const before = tokenRequests();
      await expect(client.request("gs://bkt/r.txt")).rejects.toMatchObject({ status: 401 });
      expect(await (await client.request("gs://bkt/r.txt")).text()).toBe("r");
      expect(tokenRequests() - before).toBe(1);
    });
  });

  it("gets tokens from the metadata server with Metadata-Flavor and the scopes", async () => {
    server.objects.set("bkt/m.txt", {
      data: Buffer.from("meta"),
      contentType: "text/plain",
      generation: 1,
      md5: "",
    });
    const before = oauth.requests.length;
    await withClient(
      [gcs({ auth: metadataServer({ host: oauth.metadataHost }), endpoint: server.url, now })],
      async (client) => {
        expect(await (await client.request("gs://bkt/m.txt")).text()).toBe("meta");
      },
    );
    expect(oauth.requests.slice(before)).toEqual([
      expect.objectContaining({
        path: "/computeMetadata/v1/instance/service-accounts/default/token",
        status: 200,
      }),
    ]);
    expect(oauth.requests[before]?.claims).toEqual({
      scopes: ["https://www.googleapis.com/auth/devstorage.read_only"],
    });
  });

  it("refuses a metadata answer without Metadata-Flavor: Google", async () => {
    // Something else answering on the metadata address with a token-shaped body.
    const impostor = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"access_token":"ya29.impostor","expires_in":3600}');
    });
    await new Promise<void>((resolve) => impostor.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(impostor.address() as AddressInfo).port}`;
    try {
      const sent = server.requests.length;
      await withClient([gcs({ auth: metadataServer({ host }), endpoint: server.url })], async (client) => {
        const error = await client.request("gs://bkt/m.txt").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GcsTokenError);
        expect(error).toMatchObject({ problem: "invalid-response" });
        expect((error as Error).message).toContain("Metadata-Flavor");
      });
      expect(server.requests.length).toBe(sent);
    } finally {
      impostor.closeAllConnections();
      await new Promise((resolve) => impostor.close(resolve));
    }
  });

  it("adapts google-auth-library's GoogleAuth, imported lazily", async () => {
    const token = (
      (await (
        await fetch(
          `http://${oauth.metadataHost}/computeMetadata/v1/instance/service-accounts/default/token`,
          {
            headers: { "metadata-flavor": "Google" },
          },
        )
      ).json()) as { access_token: string }
    ).access_token;
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
    server.objects.set("bkt/ga.txt", {
      data: Buffer.from("ga"),
      contentType: "text/plain",
      generation: 1,
      md5: "",
    });
    // Through the real lazy import, with options for new GoogleAuth().
    await withClient(
      [gcs({ auth: googleAuth({ authOptions: { authClient } }), endpoint: server.url })],
      async (client) => {
        expect(await (await client.request("gs://bkt/ga.txt")).text()).toBe("ga");
      },
    );
    // With a GoogleAuth instance the caller built.
    await withClient(
      [gcs({ auth: googleAuth({ auth: new GoogleAuth({ authClient }) }), endpoint: server.url })],
      async (client) => {
        expect(await (await client.request("gs://bkt/ga.txt")).text()).toBe("ga");
      },
    );
  });

  it("says google-auth-library is missing with a typed error", async () => {
    const missing = Object.assign(new Error("Cannot find package 'google-auth-library'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const auth = googleAuth({ importLibrary: () => Promise.reject(missing) });
    await withClient([gcs({ auth, endpoint: server.url })], async (client) => {
      const error = await client.request("gs://bkt/ga.txt").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GcsTokenError);
      expect(error).toMatchObject({ problem: "library-missing", provider: "google-auth" });
      expect((error as Error).message).toContain("npm install google-auth-library");
    });
  });

  it("lets explicit Authorization and a per-call bearer credential win; refuses an expired one", async () => {
    server.objects.set("bkt/w.txt", {
      data: Buffer.from("w"),
      contentType: "text/plain",
      generation: 1,
      md5: "",
    });
    const meta = await fetch(
      `http://${oauth.metadataHost}/computeMetadata/v1/instance/service-accounts/default/token`,
      {
        headers: { "metadata-flavor": "Google" },
      },
    );
    const token = ((await meta.json()) as { access_token: string }).access_token;
    const before = tokenRequests();
    await withClient([gcs(options())], async (client) => {
      const explicit = await client.request("gs://bkt/w.txt", {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await explicit.text()).toBe("w");
      const context = new Context().set(credentialKey, { kind: "bearer", token });
      expect(await (await client.request("gs://bkt/w.txt", { context })).text()).toBe("w");
      const expired = new Context().set(credentialKey, { kind: "bearer", token, expiresAt: clock.now - 1 });
      const sent = server.requests.length;
      await expect(client.request("gs://bkt/w.txt", { context: expired })).rejects.toMatchObject({
        problem: "expired",
      });
      expect(server.requests.length).toBe(sent);
    });
    expect(tokenRequests()).toBe(before);
  });

  it("refuses an expired static token before sending", async () => {
    const sent = server.requests.length;
    await withClient(
      [gcs({ auth: staticToken("ya29.old", { expiresAt: clock.now - 1000 }), endpoint: server.url, now })],
      async (client) => {
        await expect(client.request("gs://bkt/w.txt")).rejects.toMatchObject({
          name: "GcsTokenError",
          problem: "expired",
        });
      },
    );
    expect(server.requests.length).toBe(sent);
  });

  it("refuses unsupported methods and bad URLs before sending", async () => {
    const sent = server.requests.length;
    await withClient([gcs(options())], async (client) => {
      await expect(client.request("gs://bkt/x", { method: "POST", body: "x" })).rejects.toBeInstanceOf(
        GcsRequestError,
      );
      await expect(client.request("gs://Bad_Bucket/x")).rejects.toMatchObject({ problem: "invalid-url" });
    });
    expect(server.requests.length).toBe(sent);
  });

  it("adds the token to plain requests to the endpoint with authorizeEndpoint, and passes others through", async () => {
    await withClient([gcs(options({ authorizeEndpoint: true }))], async (client) => {
      expect(await (await client.request(`${server.url}/bkt/w.txt`)).text()).toBe("w");
    });
    const m = gcs(options());
    const request = new HttpRequest(`${server.url}/bkt/w.txt`);
    let passed: HttpRequest | undefined;
    await m
      .handle(
        request,
        async (r) => {
          passed = r;
          throw new Error("stop");
        },
        new Context(),
      )
      .catch(() => undefined);
    expect(passed).toBe(request);
  });

  it("validates options synchronously", () => {
    expect(() => gcs({ endpoint: "http://storage.example.com", auth: staticToken("t") })).toThrow(
      /plain http/,
    );
    expect(() => gcs({ api: "grpc" as never })).toThrow(/api must be/);
    expect(() => gcs({ scopes: [] })).toThrow(/scopes/);
    expect(() => gcs({ auth: {} as never })).toThrow(/token provider/);
    expect(() => serviceAccount({ ...sa.key, private_key: "not a key" })).toThrow(/not a PEM private key/);
    expect(() => serviceAccount("{")).toThrow(/not JSON/);
    expect(() => serviceAccount({ ...sa.key, token_uri: "http://example.com/token" })).toThrow(/https/);
    try {
      serviceAccount({ ...sa.key, private_key: `${sa.key.private_key.slice(0, 200)}broken` });
    } catch (error) {
      expect((error as Error).message).not.toContain(sa.key.private_key.slice(40, 100));
    }
  });

  it("puts no private key, assertion or token in any event or error", () => {
    const text = JSON.stringify(published, (_k, v: unknown) =>
      v instanceof Error
        ? { ...v, message: v.message, stack: v.stack }
        : v instanceof Context
          ? undefined
          : v,
    );
    expect(published.length).toBeGreaterThan(50);
    expect(text).not.toContain(sa.key.private_key.split("\n")[5]);
    for (const token of oauth.issued.keys()) expect(text).not.toContain(token);
    expect(text).not.toMatch(/eyJ[\w-]{10,}\.eyJ/);
  });
});
