import { createPublicKey, randomBytes, verify } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendJson } from "@switchyard/testkit/servers";

/** A service account the stand-in knows: its email and the public half of its key. */
export interface KnownAccount {
  readonly clientEmail: string;
  readonly publicKeyPem: string;
}

/** A token the stand-in issued. */
export interface IssuedToken {
  readonly token: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
  readonly via: "jwt" | "metadata";
}

/** One token request and how it was answered. */
export interface TokenRequestRecord {
  readonly path: string;
  readonly status: number;
  /** Why a JWT was refused (`bad signature`, `wrong aud`...), if it was. */
  readonly refusal: string | undefined;
  /** The decoded JWT claims (never the signature). */
  readonly claims: Record<string, unknown> | undefined;
  readonly kid: string | undefined;
}

/** Options of {@link startOAuthStandIn}. */
export interface OAuthStandInOptions {
  readonly accounts: readonly KnownAccount[];
  /** Seconds issued tokens live. @default 3600 */
  readonly expiresIn?: number;
  /** The clock, shared with the GCS stand-in and the plugin in tests. @default Date.now */
  readonly now?: () => number;
  /** Milliseconds to wait before answering a token request. @default 0 */
  readonly delayMs?: number;
}

/** A running stand-in token endpoint and metadata server. */
export interface OAuthStandIn {
  readonly url: string;
  /** The JWT-bearer token endpoint to put in a key's `token_uri`. */
  readonly tokenUri: string;
  /** `host:port` for `metadataServer({ host })`. */
  readonly metadataHost: string;
  readonly requests: readonly TokenRequestRecord[];
  /** Every token issued, by token. */
  readonly issued: ReadonlyMap<string, IssuedToken>;
  /** The next `count` token requests fail with `status` and `body`. */
  failNext(count: number, status: number, body: string): void;
  /** Seconds the next tokens live. */
  setExpiresIn(seconds: number): void;
  /** A valid (issued, unexpired) token's record, else undefined. */
  check(token: string): IssuedToken | undefined;
  stop(): Promise<void>;
}

const GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const STORAGE_SCOPES = new Set([
  "https://www.googleapis.com/auth/devstorage.read_only",
  "https://www.googleapis.com/auth/devstorage.read_write",
  "https://www.googleapis.com/auth/devstorage.full_control",
  "https://www.googleapis.com/auth/cloud-platform",
  "https://www.googleapis.com/auth/cloud-platform.read-only",
]);
// Google allows a little clock skew on iat and at most one hour of assertion lifetime.
const SKEW_S = 60;
const MAX_LIFETIME_S = 3600;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy(new Error("body too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a service-account JWT assertion as Google's token endpoint does: RS256 signature by a
 * known account's key, `iss` that account, `aud` this endpoint, a storage `scope`, `iat`/`exp`
 * current and at most an hour apart. Returns the claims, or why it is refused.
 */
export function verifyAssertion(
  assertion: string,
  accounts: readonly KnownAccount[],
  audience: string,
  nowSeconds: number,
):
  | { ok: true; claims: Record<string, unknown>; kid: string | undefined }
  | { ok: false; why: string; claims?: Record<string, unknown> } {
  const parts = assertion.split(".");
  if (parts.length !== 3) return { ok: false, why: "not a JWT" };
  const [h, p, s] = parts as [string, string, string];
  const header = decodePart(h);
  const claims = decodePart(p);
  if (!header || !claims) return { ok: false, why: "undecodable JWT" };
  if (header.alg !== "RS256") return { ok: false, why: `alg ${String(header.alg)}`, claims };
  const account = accounts.find((a) => a.clientEmail === claims.iss);
  if (!account) return { ok: false, why: "unknown iss", claims };
  const good = verify(
    "RSA-SHA256",
    Buffer.from(`${h}.${p}`),
    createPublicKey(account.publicKeyPem),
    Buffer.from(s, "base64url"),
  );
  if (!good) return { ok: false, why: "bad signature", claims };
  if (claims.aud !== audience) return { ok: false, why: "wrong aud", claims };
  const scopes = typeof claims.scope === "string" ? claims.scope.split(" ") : [];
  if (scopes.length === 0 || !scopes.every((sc) => STORAGE_SCOPES.has(sc)))
    return { ok: false, why: "bad scope", claims };
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  if (!Number.isInteger(iat) || !Number.isInteger(exp)) return { ok: false, why: "no iat/exp", claims };
  if (iat > nowSeconds + SKEW_S) return { ok: false, why: "iat in the future", claims };
  if (exp <= nowSeconds) return { ok: false, why: "expired assertion", claims };
  if (exp - iat > MAX_LIFETIME_S) return { ok: false, why: "lifetime over an hour", claims };
  return { ok: true, claims, kid: typeof header.kid === "string" ? header.kid : undefined };
}

/**
 * Starts a stand-in for Google's OAuth token endpoint (`POST /token`, JWT bearer grant) and for
 * the metadata server's token route, on 127.0.0.1. Written for the tests because no real one can
 * be run here.
 */
export async function startOAuthStandIn(options: OAuthStandInOptions): Promise<OAuthStandIn> {
  const now = options.now ?? Date.now;
  let expiresIn = options.expiresIn ?? 3600;
  const requests: TokenRequestRecord[] = [];
  const issued = new Map<string, IssuedToken>();
  const failures: { status: number; body: string }[] = [];
  let tokenUri = "";

  function issue(
    scopes: readonly string[],
    via: IssuedToken["via"],
  ): { access_token: string; expires_in: number; token_type: string } {
    const token = `ya29.stand-in-${randomBytes(12).toString("hex")}`;
    issued.set(token, { token, scopes, expiresAt: now() + expiresIn * 1000, via });
    return { access_token: token, expires_in: expiresIn, token_type: "Bearer" };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    const failure = failures.shift();
    if (failure) {
      requests.push({
        path: url.pathname,
        status: failure.status,
        refusal: "scripted",
        claims: undefined,
        kid: undefined,
      });
      res.writeHead(failure.status, { "content-type": "application/json" });
      res.end(failure.body);
      return;
    }
    if (req.method === "POST" && url.pathname === "/token") {
      const form = new URLSearchParams(await readBody(req));
      if (form.get("grant_type") !== GRANT) {
        requests.push({
          path: url.pathname,
          status: 400,
          refusal: "grant_type",
          claims: undefined,
          kid: undefined,
        });
        sendJson(res, 400, { error: "unsupported_grant_type", error_description: "Invalid grant_type" });
        return;
      }
      const verdict = verifyAssertion(
        form.get("assertion") ?? "",
        options.accounts,
        tokenUri,
        Math.floor(now() / 1000),
      );
      if (!verdict.ok) {
        requests.push({
          path: url.pathname,
          status: 400,
          refusal: verdict.why,
          claims: verdict.claims,
          kid: undefined,
        });
        sendJson(res, 400, { error: "invalid_grant", error_description: `Invalid JWT: ${verdict.why}` });
        return;
      }
      requests.push({
        path: url.pathname,
        status: 200,
        refusal: undefined,
        claims: verdict.claims,
        kid: verdict.kid,
      });
      sendJson(res, 200, issue(String(verdict.claims.scope).split(" "), "jwt"));
      return;
    }
    if (
      req.method === "GET" &&
      /^\/computeMetadata\/v1\/instance\/service-accounts\/[^/]+\/token$/.test(url.pathname)
    ) {
      if (req.headers["metadata-flavor"] !== "Google") {
        requests.push({
          path: url.pathname,
          status: 403,
          refusal: "no Metadata-Flavor",
          claims: undefined,
          kid: undefined,
        });
        res.writeHead(403, { "content-type": "text/html" });
        res.end("Missing Metadata-Flavor:Google header.");
        return;
      }
      const scopes = (
        url.searchParams.get("scopes") ?? "https://www.googleapis.com/auth/cloud-platform"
      ).split(",");
      requests.push({
        path: url.pathname,
        status: 200,
        refusal: undefined,
        claims: { scopes },
        kid: undefined,
      });
      sendJson(res, 200, issue(scopes, "metadata"), { "metadata-flavor": "Google" });
      return;
    }
    requests.push({ path: url.pathname, status: 404, refusal: "route", claims: undefined, kid: undefined });
    sendJson(res, 404, { error: "not_found" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  tokenUri = `${url}/token`;
  return {
    url,
    tokenUri,
    metadataHost: `127.0.0.1:${port}`,
    requests,
    issued,
    failNext(count, status, body) {
      for (let i = 0; i < count; i++) failures.push({ status, body });
    },
    setExpiresIn(seconds) {
      expiresIn = seconds;
    },
    check(token) {
      const record = issued.get(token);
      return record && record.expiresAt > now() ? record : undefined;
    },
    stop() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
