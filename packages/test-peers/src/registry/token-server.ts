import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendJson } from "@switchyard/testkit/servers";
import { type RegistryAccess, signJwtRs256 } from "./jwt-rs256.ts";
import { sharedTokenSigningKey, type TokenSigningKey } from "./token-signing-key.ts";

/** What a scope asks for, handed to {@link TokenServerOptions.authorize}. */
export interface TokenScopeRequest {
  /** Authenticated user, or `undefined` for an anonymous request. */
  user: string | undefined;
  /** Resource type, e.g. `"repository"`. */
  type: string;
  /** Resource name, e.g. `"org/repo"`. */
  name: string;
  /** Requested actions, e.g. `["pull", "push"]`. */
  actions: string[];
}

/** Options of {@link startTokenServer}. */
export interface TokenServerOptions {
  /** Expected `service` parameter and the token's `aud`. @default "switchyard-registry" */
  service?: string;
  /** The token's `iss`. @default "switchyard-testkit" */
  issuer?: string;
  /** Basic credentials accepted on the token endpoint: user -> password. @default {} */
  users?: Readonly<Record<string, string>>;
  /** Issue tokens to requests without credentials (pull only, by default). @default false */
  anonymous?: boolean;
  /** Lifetime of issued tokens (`exp - iat` and `expires_in`), seconds, >= 1. @default 300 */
  tokenLifetimeSeconds?: number;
  /**
   * Which of the requested actions to grant. @default users get every requested action, anonymous
   * requests only `pull`
   */
  authorize?: (request: TokenScopeRequest) => readonly string[];
  /** Key and certificate to sign with. @default one key shared by the whole process */
  signingKey?: TokenSigningKey;
}

/** One request the token endpoint saw. */
export interface TokenRequestRecord {
  method: string;
  service: string | null;
  /** Raw `scope` parameters, in order. */
  scopes: string[];
  /** User from Basic credentials (also when they were wrong), `undefined` if none. */
  user: string | undefined;
  /** Status answered. */
  status: number;
  /** Access granted in the token (empty when no token was issued). */
  granted: RegistryAccess[];
}

/** Options of {@link TokenServer.mintToken}. */
export interface MintTokenOptions {
  /** @default "" (anonymous) */
  sub?: string;
  /** @default [] */
  access?: RegistryAccess[];
  /** Seconds from now until `exp`; negative gives an expired token. @default the server's lifetime */
  expiresInSeconds?: number;
  /** @default the server's issuer */
  issuer?: string;
  /** @default the server's service */
  audience?: string;
}

/** A running token server (in this process). */
export interface TokenServer {
  /** The realm URL: `http://127.0.0.1:PORT/token`. */
  readonly realm: string;
  readonly port: number;
  readonly service: string;
  readonly issuer: string;
  readonly signingKey: TokenSigningKey;
  /** Every request the endpoint answered, oldest first. */
  readonly requests: readonly TokenRequestRecord[];
  /** Number of requests answered with a token. */
  readonly tokensIssued: number;
  /** Clears `requests` and `tokensIssued`. */
  reset(): void;
  /** Changes the lifetime of tokens issued from now on (seconds, >= 1). */
  setTokenLifetime(seconds: number): void;
  /** Signs a token directly, e.g. an expired one or one for another audience. */
  mintToken(options?: MintTokenOptions): string;
  /** Closes the server. Idempotent. */
  stop(): Promise<void>;
}

/** Parses `type:name:actions`; the name may itself contain ':' (e.g. a host:port prefix). */
export function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first <= 0 || last === first) return undefined;
  const actions = scope
    .slice(last + 1)
    .split(",")
    .filter((action) => action !== "");
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

/** What the token endpoint answers. */
interface TokenReply {
  status: number;
  body: object;
  headers?: Record<string, string>;
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function validLifetime(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 1) throw new RangeError("tokenLifetimeSeconds must be >= 1");
  return Math.floor(seconds);
}

/**
 * Starts a Docker-style token server (distribution "token" auth) on 127.0.0.1: `GET /token?service=..&scope=..`
 * with optional Basic credentials answers `{ token, access_token, expires_in, issued_at }`, the token an
 * RS256 JWT whose `x5c` header holds the signing certificate.
 *
 * @example
 * ```ts
 * const tokens = await startTokenServer({ users: { alice: "pw" }, anonymous: true });
 * // config.yml: auth.token.realm = tokens.realm, service = tokens.service, issuer = tokens.issuer
 * expect(tokens.tokensIssued).toBe(1);
 * ```
 */
export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const service = options.service ?? "switchyard-registry";
  const issuer = options.issuer ?? "switchyard-testkit";
  const users = options.users ?? {};
  const signingKey = options.signingKey ?? sharedTokenSigningKey();
  let lifetime = validLifetime(options.tokenLifetimeSeconds ?? 300);
  const authorize =
    options.authorize ??
    ((scope: TokenScopeRequest): readonly string[] =>
      scope.user === undefined ? scope.actions.filter((action) => action === "pull") : scope.actions);
  const requests: TokenRequestRecord[] = [];
  let tokensIssued = 0;

  const mintToken = (mint: MintTokenOptions = {}): string => {
    const now = Math.floor(Date.now() / 1000);
    return signJwtRs256(
      {
        iss: mint.issuer ?? issuer,
        sub: mint.sub ?? "",
        aud: mint.audience ?? service,
        exp: now + (mint.expiresInSeconds ?? lifetime),
        // Before the expiry even for expired tokens, so that the registry reports expiry, not "not yet valid".
        nbf: Math.min(now, now + (mint.expiresInSeconds ?? lifetime)) - 10,
        iat: now,
        jti: randomUUID(),
        access: mint.access ?? [],
      },
      signingKey.privateKey,
      [signingKey.certificateDerBase64],
    );
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const scopes = url.searchParams.getAll("scope").flatMap((scope) => scope.split(" ").filter(Boolean));
    const credentials = parseBasic(req.headers.authorization);
    const record: TokenRequestRecord = {
      method: req.method ?? "GET",
      service: url.searchParams.get("service"),
      scopes,
      user: credentials?.user,
      status: 200,
      granted: [],
    };
    requests.push(record);
    const reply = decide(req, url, credentials, record);
    record.status = reply.status;
    sendJson(res, reply.status, reply.body, reply.headers);
  };

  const decide = (
    req: IncomingMessage,
    url: URL,
    credentials: { user: string; password: string } | undefined,
    record: TokenRequestRecord,
  ): TokenReply => {
    const fail = (
      status: number,
      code: string,
      message: string,
      headers?: Record<string, string>,
    ): TokenReply => ({
      status,
      body: { errors: [{ code, message }] },
      headers,
    });
    if (url.pathname !== "/token") return fail(404, "NOT_FOUND", "the token endpoint is /token");
    if (req.method !== "GET") return fail(405, "UNSUPPORTED", "only GET is supported", { allow: "GET" });
    if (record.service !== service) {
      return fail(400, "INVALID_REQUEST", `unknown service ${JSON.stringify(record.service)}`);
    }
    const challenge = { "www-authenticate": 'Basic realm="switchyard token server"' };
    if (credentials) {
      const expected = Object.hasOwn(users, credentials.user) ? users[credentials.user] : undefined;
      if (expected === undefined || !sameSecret(expected, credentials.password)) {
        return fail(401, "UNAUTHORIZED", "wrong user name or password", challenge);
      }
    } else if (!options.anonymous) {
      return fail(401, "UNAUTHORIZED", "credentials required", challenge);
    }
    for (const raw of record.scopes) {
      const scope = parseScope(raw);
      if (!scope) return fail(400, "INVALID_REQUEST", `malformed scope ${JSON.stringify(raw)}`);
      const actions = [...new Set(authorize({ user: credentials?.user, ...scope }))];
      const merged = record.granted.find((entry) => entry.type === scope.type && entry.name === scope.name);
      if (merged) merged.actions = [...new Set([...merged.actions, ...actions])];
      else record.granted.push({ type: scope.type, name: scope.name, actions });
    }
    const token = mintToken({ sub: credentials?.user ?? "", access: record.granted });
    tokensIssued++;
    return {
      status: 200,
      body: { token, access_token: token, expires_in: lifetime, issued_at: new Date().toISOString() },
    };
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    port,
    service,
    issuer,
    signingKey,
    requests,
    get tokensIssued() {
      return tokensIssued;
    },
    reset() {
      requests.length = 0;
      tokensIssued = 0;
    },
    setTokenLifetime(seconds) {
      lifetime = validLifetime(seconds);
    },
    mintToken,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
