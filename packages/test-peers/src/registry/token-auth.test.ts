import { request } from "undici";
import { describe, expect, it } from "vitest";
import { requirePeer } from "../peer-availability.ts";
import { decodeJwt, signJwtRs256 } from "./jwt-rs256.ts";
import { MANIFEST_ACCEPT } from "./oci-media-types.ts";
import { pushArtifact } from "./push-artifact.ts";
import { startRegistry } from "./start-registry.ts";
import { parseScope } from "./token-server.ts";
import { createTokenSigningKey } from "./token-signing-key.ts";

const registry = requirePeer("registry");
const basic = (user: string, password: string): string => `Basic ${btoa(`${user}:${password}`)}`;

describe("parseScope", () => {
  it.each([
    ["repository:org/app:pull,push", { type: "repository", name: "org/app", actions: ["pull", "push"] }],
    [
      "repository:127.0.0.1:5000/app:pull",
      { type: "repository", name: "127.0.0.1:5000/app", actions: ["pull"] },
    ],
    ["registry:catalog:*", { type: "registry", name: "catalog", actions: ["*"] }],
    ["nonsense", undefined],
  ])("parses %s", (scope, expected) => {
    expect(parseScope(scope)).toEqual(expected);
  });
});

describe.skipIf(registry.skip)(`startRegistry (token) ${registry.reason}`, () => {
  it("challenges with Bearer, exchanges credentials for a token, and accepts it", async () => {
    const peer = await startRegistry({ auth: { kind: "token", users: { alice: "pw" } } });
    const tokens = peer.tokenServer;
    if (!tokens) throw new Error("token mode without a token server");
    try {
      await pushArtifact(peer.url, "org/app", "1.0", {
        layers: [{ mediaType: "text/plain", data: "payload" }],
        auth: { username: "alice", password: "pw" },
      });
      expect(tokens.tokensIssued).toBe(1);
      expect(tokens.requests[0]?.granted).toEqual([
        { type: "repository", name: "org/app", actions: ["pull", "push"] },
      ]);
      tokens.reset();

      const url = `${peer.url}/v2/org/app/manifests/1.0`;
      const challenge = await request(url, { headers: { accept: MANIFEST_ACCEPT } });
      expect(challenge.statusCode).toBe(401);
      expect(challenge.headers["www-authenticate"]).toBe(
        `Bearer realm="${tokens.realm}",service="${tokens.service}",scope="repository:org/app:pull"`,
      );
      await challenge.body.dump();

      const query = `?service=${tokens.service}&scope=repository:org/app:pull`;
      const refused = await request(`${tokens.realm}${query}`);
      expect(refused.statusCode).toBe(401);
      await refused.body.dump();
      const wrong = await request(`${tokens.realm}${query}`, {
        headers: { authorization: basic("alice", "no") },
      });
      expect(wrong.statusCode).toBe(401);
      await wrong.body.dump();
      const exchange = await request(`${tokens.realm}${query}`, {
        headers: { authorization: basic("alice", "pw") },
      });
      expect(exchange.statusCode).toBe(200);
      const body = (await exchange.body.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ expires_in: 300 });
      expect(body.access_token).toBe(body.token);
      expect(new Date(String(body.issued_at)).getTime()).toBeGreaterThan(Date.now() - 60_000);
      const { header, claims } = decodeJwt(String(body.token));
      expect(header).toMatchObject({ alg: "RS256", x5c: [tokens.signingKey.certificateDerBase64] });
      expect(claims).toMatchObject({
        iss: tokens.issuer,
        aud: tokens.service,
        sub: "alice",
        access: [{ type: "repository", name: "org/app", actions: ["pull"] }],
      });
      expect(tokens.requests.map((r) => r.status)).toEqual([401, 401, 200]);
      expect(tokens.tokensIssued).toBe(1);

      const ok = await request(url, {
        headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${body.token}` },
      });
      expect(ok.statusCode).toBe(200);
      await ok.body.dump();
    } finally {
      await peer.stop();
    }
  });

  it("rejects expired, garbage and foreign-key tokens with invalid_token", async () => {
    const peer = await startRegistry({ auth: { kind: "token", anonymous: true } });
    const tokens = peer.tokenServer;
    if (!tokens) throw new Error("token mode without a token server");
    try {
      const access = [{ type: "repository", name: "org/app", actions: ["pull"] }];
      const foreign = createTokenSigningKey("someone else");
      const now = Math.floor(Date.now() / 1000);
      const candidates = {
        // distribution allows 60 s of clock skew: 120 s in the past is expired for sure.
        expired: tokens.mintToken({ access, expiresInSeconds: -120 }),
        garbage: "not.a.jwt",
        foreign: signJwtRs256(
          {
            iss: tokens.issuer,
            sub: "",
            aud: tokens.service,
            exp: now + 300,
            nbf: now - 10,
            iat: now,
            jti: "x",
            access,
          },
          foreign.privateKey,
          [foreign.certificateDerBase64],
        ),
        wrongAudience: tokens.mintToken({ access, audience: "another-service" }),
      };
      for (const [name, token] of Object.entries(candidates)) {
        const res = await request(`${peer.url}/v2/org/app/tags/list`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect([name, res.statusCode]).toEqual([name, 401]);
        expect(res.headers["www-authenticate"]).toMatch(/error="invalid_token"/);
        await res.body.dump();
      }
      const valid = await request(`${peer.url}/v2/org/app/tags/list`, {
        headers: { authorization: `Bearer ${tokens.mintToken({ access })}` },
      });
      expect(valid.statusCode).toBe(404); // authorized; the repository just does not exist
      await valid.body.dump();
    } finally {
      await peer.stop();
    }
  });

  it("gives anonymous requests pull only and issues short-lived tokens on demand", async () => {
    const peer = await startRegistry({ auth: { kind: "token", anonymous: true, users: { bob: "b" } } });
    const tokens = peer.tokenServer;
    if (!tokens) throw new Error("token mode without a token server");
    try {
      await pushArtifact(peer.url, "pub/app", "1", {
        layers: [{ mediaType: "text/plain", data: "x" }],
        auth: { username: "bob", password: "b" },
      });
      tokens.setTokenLifetime(2);
      const res = await request(
        `${tokens.realm}?service=${tokens.service}&scope=repository:pub/app:pull,push`,
      );
      const body = (await res.body.json()) as { token: string; expires_in: number };
      expect(body.expires_in).toBe(2);
      const { claims } = decodeJwt(body.token);
      expect(Number(claims.exp) - Number(claims.iat)).toBe(2);
      expect(claims.access).toEqual([{ type: "repository", name: "pub/app", actions: ["pull"] }]);
      const pull = await request(`${peer.url}/v2/pub/app/manifests/1`, {
        headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${body.token}` },
      });
      expect(pull.statusCode).toBe(200);
      await pull.body.dump();
      const push = await request(`${peer.url}/v2/pub/app/blobs/uploads/`, {
        method: "POST",
        headers: { authorization: `Bearer ${body.token}` },
      });
      expect(push.statusCode).toBe(401);
      expect(push.headers["www-authenticate"]).toMatch(/error="insufficient_scope"/);
      await push.body.dump();
    } finally {
      await peer.stop();
    }
  });
});
