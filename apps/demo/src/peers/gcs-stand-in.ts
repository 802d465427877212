import { createPublicKey, generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { ServiceAccountKey } from "@switchyard/gcs";

/**
 * A minimal Google Cloud Storage stand-in (no real GCS server can run here): the XML API's path
 * form `/<bucket>/<object>` for GET, HEAD and PUT, a Bearer check that answers 401 with Google's
 * JSON error envelope, and an OAuth2 token endpoint that verifies a service account's RS256 JWT
 * assertion (RFC 7523) before issuing an access token. Objects live in memory: for small files.
 */
export interface GcsStandIn {
  /** `http://127.0.0.1:PORT`: the endpoint to give `gcs({ endpoint })`. */
  readonly url: string;
  /** A service-account key whose `token_uri` is this stand-in's token endpoint. */
  readonly serviceAccountKey: ServiceAccountKey;
  /** Access tokens issued so far. */
  readonly tokensIssued: number;
  /** Puts an object directly (seeding). */
  putObject(bucket: string, name: string, data: string | Uint8Array): void;
  getObject(bucket: string, name: string): Buffer | undefined;
  close(): Promise<void>;
}

const CLIENT_EMAIL = "demo@switchyard-demo.iam.gserviceaccount.com";
const MAX_OBJECT_BYTES = 64 * 1024 * 1024;

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer) {
  res.writeHead(status, { "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

function googleError(res: ServerResponse, status: number, reason: string, message: string): void {
  const body = JSON.stringify({
    error: { code: status, message, errors: [{ reason, message, domain: "global" }] },
  });
  reply(res, status, { "content-type": "application/json; charset=UTF-8" }, body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Starts the stand-in on a free loopback port. */
export async function startGcsStandIn(): Promise<GcsStandIn> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const verifyKey = createPublicKey(publicKey.export({ type: "spki", format: "pem" }));
  const objects = new Map<string, Buffer>();
  const tokens = new Map<string, number>(); // token -> expiry (epoch ms)
  let tokenUri = "";
  let issued = 0;

  function checkAssertion(assertion: string): string | undefined {
    const parts = assertion.split(".");
    if (parts.length !== 3) return "the assertion is not a JWT";
    const [h, p, s] = parts as [string, string, string];
    const ok = verify("RSA-SHA256", Buffer.from(`${h}.${p}`), verifyKey, Buffer.from(s, "base64url"));
    if (!ok) return "invalid JWT signature";
    const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
    const now = Date.now() / 1000;
    if (claims.iss !== CLIENT_EMAIL) return "unknown issuer";
    if (claims.aud !== tokenUri) return "wrong audience";
    if (typeof claims.exp !== "number" || claims.exp < now) return "the assertion has expired";
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    if (url.pathname === "/token") {
      if (req.method !== "POST") return googleError(res, 405, "methodNotAllowed", "POST only");
      const body = await readBody(req, 64 * 1024);
      const form = new URLSearchParams(body?.toString("utf8") ?? "");
      if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return reply(res, 400, { "content-type": "application/json" }, '{"error":"unsupported_grant_type"}');
      }
      const problem = checkAssertion(form.get("assertion") ?? "");
      if (problem) {
        const body = JSON.stringify({ error: "invalid_grant", error_description: problem });
        return reply(res, 400, { "content-type": "application/json" }, body);
      }
      const token = `ya29.demo-${randomBytes(12).toString("hex")}`;
      tokens.set(token, Date.now() + 3600_000);
      issued++;
      const answer = JSON.stringify({ access_token: token, expires_in: 3600, token_type: "Bearer" });
      return reply(res, 200, { "content-type": "application/json" }, answer);
    }
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
    const expiry = auth ? tokens.get(auth[1]!) : undefined;
    if (expiry === undefined || expiry < Date.now()) {
      req.resume();
      return googleError(res, 401, "required", "Anonymous caller does not have storage.objects.get access.");
    }
    const slash = url.pathname.indexOf("/", 1);
    if (slash < 0) return googleError(res, 400, "invalid", "expected /<bucket>/<object>");
    const key = decodeURIComponent(url.pathname.slice(1));
    if (req.method === "PUT") {
      const body = await readBody(req, MAX_OBJECT_BYTES);
      if (!body) return googleError(res, 413, "uploadTooLarge", "the stand-in keeps objects up to 64 MiB");
      objects.set(key, body);
      return reply(res, 200, { "content-type": "application/xml", etag: `"${issued}"` }, "");
    }
    if (req.method !== "GET" && req.method !== "HEAD") return googleError(res, 405, "methodNotAllowed", "");
    const object = objects.get(key);
    if (!object) {
      const xml = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`;
      return reply(res, 404, { "content-type": "application/xml; charset=UTF-8" }, xml);
    }
    const headers = { "content-type": "application/octet-stream", "content-length": String(object.length) };
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : object);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) googleError(res, 500, "backendError", String(error));
      else res.destroy();
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tokenUri = `${url}/token`;
  return {
    url,
    serviceAccountKey: {
      type: "service_account",
      client_email: CLIENT_EMAIL,
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      private_key_id: "demo-key-1",
      token_uri: tokenUri,
    },
    get tokensIssued() {
      return issued;
    },
    putObject(bucket, name, data) {
      objects.set(`${bucket}/${name}`, Buffer.from(data));
    },
    getObject(bucket, name) {
      return objects.get(`${bucket}/${name}`);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
