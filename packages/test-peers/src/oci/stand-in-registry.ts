import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import { sendJson } from "@switchyard/testkit/servers";

/** What a stand-in server saw of one request. */
export interface Hit {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
}

/** A blob the stand-in serves: bytes, or a generator for big ones (never held whole). */
export interface StandInBlob {
  readonly size: number;
  readonly open: () => Iterable<Buffer> | AsyncIterable<Buffer>;
}

/** A canned answer for a path: status, JSON body, headers. */
export interface Canned {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A small node:http server that plays (and lies as) a registry, a token endpoint or a CDN. */
export interface StandIn {
  readonly origin: string;
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  readonly hits: Hit[];
  /** Handlers tried in order before the registry routes; return true when handled. */
  readonly overrides: ((req: http.IncomingMessage, res: http.ServerResponse, path: string) => boolean)[];
  /** `"bearer"`: /v2/ and every route demand `Bearer <token>` from this server's /token. */
  auth: "none" | "bearer";
  /** `expires_in` of issued tokens; undefined leaves it out. */
  tokenLifetime: number | undefined;
  /** Token answers, counted. */
  tokensIssued: number;
  /** Manifests by `repo` and reference (tag or digest). */
  manifest(repo: string, reference: string, body: Buffer | string, mediaType?: string): string;
  /** Registers a blob; returns its digest. */
  blob(repo: string, data: Buffer | StandInBlob, digest?: string): string;
  /** Serves these bytes instead of the real ones for a digest (same length, one byte flipped). */
  corrupt(digest: string): void;
  /** Answers `path` with a canned response. */
  can(path: string, answer: Canned): void;
  stop(): Promise<void>;
}

export const sha256 = (data: Buffer | string): string =>
  `sha256:${createHash("sha256").update(data).digest("hex")}`;

async function digestStream(blob: StandInBlob): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of blob.open()) hash.update(chunk);
  return `sha256:${hash.digest("hex")}`;
}

/** Computes a StandInBlob's digest by streaming it once. */
export function blobDigest(blob: StandInBlob): Promise<string> {
  return digestStream(blob);
}

/** Starts a stand-in on 127.0.0.1:0. */
export async function startStandIn(): Promise<StandIn> {
  const manifests = new Map<string, { body: Buffer; mediaType: string }>();
  const blobs = new Map<string, StandInBlob>();
  const corrupted = new Set<string>();
  const canned = new Map<string, Canned>();
  const tokens = new Set<string>();
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const path = url.pathname;
    hits.push({
      method: req.method ?? "",
      path: `${path}${url.search}`,
      authorization: req.headers.authorization,
    });
    for (const override of standIn.overrides) if (override(req, res, path)) return;
    const answer = canned.get(path);
    if (answer) return sendJson(res, answer.status, answer.body ?? {}, answer.headers);
    if (path === "/token") {
      const token = randomBytes(12).toString("hex");
      tokens.add(token);
      standIn.tokensIssued++;
      return sendJson(
        res,
        200,
        standIn.tokenLifetime === undefined
          ? { access_token: token }
          : { token, expires_in: standIn.tokenLifetime },
      );
    }
    if (standIn.auth === "bearer") {
      const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (given === undefined || !tokens.has(given)) {
        const scope = /^\/v2\/(.+)\/(manifests|blobs)\//.exec(path)?.[1];
        const params = [`realm="${standIn.origin}/token"`, `service="stand-in"`];
        if (scope) params.push(`scope="repository:${scope}:pull"`);
        if (given !== undefined) params.push(`error="invalid_token"`);
        return sendJson(
          res,
          401,
          { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] },
          {
            "www-authenticate": `Bearer ${params.join(",")}`,
          },
        );
      }
    }
    if (path === "/v2/") return sendJson(res, 200, {});
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    if (!m) return sendJson(res, 404, { errors: [{ code: "NOT_FOUND", message: "no route" }] });
    const [, repo, kind, reference] = m as unknown as [string, string, string, string];
    if (kind === "manifests") {
      const found = manifests.get(`${repo}@${reference}`);
      if (!found)
        return sendJson(res, 404, { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] });
      res.writeHead(200, { "content-type": found.mediaType, "content-length": found.body.length });
      return res.end(found.body);
    }
    const blob = blobs.get(`${repo}@${reference}`);
    if (!blob)
      return sendJson(res, 404, { errors: [{ code: "BLOB_UNKNOWN", message: "blob unknown to registry" }] });
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": blob.size,
      "docker-content-digest": reference,
    });
    if (req.method === "HEAD") return res.end();
    const lie = corrupted.has(reference);
    let first = true;
    const source = Readable.from(
      (async function* () {
        for await (const chunk of blob.open()) {
          if (lie && first && chunk.length > 0) {
            const copy = Buffer.from(chunk);
            copy[0] = copy[0]! ^ 0xff;
            first = false;
            yield copy;
          } else yield chunk;
        }
      })(),
    );
    source.pipe(res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const standIn: StandIn = {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits,
    overrides: [],
    auth: "none",
    tokenLifetime: 300,
    tokensIssued: 0,
    manifest(repo, reference, body, mediaType = "application/vnd.oci.image.manifest.v1+json") {
      const bytes = Buffer.from(body);
      const digest = sha256(bytes);
      manifests.set(`${repo}@${reference}`, { body: bytes, mediaType });
      manifests.set(`${repo}@${digest}`, { body: bytes, mediaType });
      return digest;
    },
    blob(repo, data, digest) {
      const blob: StandInBlob = Buffer.isBuffer(data) ? { size: data.length, open: () => [data] } : data;
      const key = digest ?? sha256(data as Buffer);
      blobs.set(`${repo}@${key}`, blob);
      return key;
    },
    corrupt(digest) {
      corrupted.add(digest);
    },
    can(path, answer) {
      canned.set(path, answer);
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
  return standIn;
}

/** An OCI manifest listing `layers` (with the empty config). */
export function ociManifest(
  layers: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[],
): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256("{}"), size: 2 },
    layers,
  });
}

/** One layer of {@link putStandInArtifact}. */
export interface StandInLayer {
  readonly mediaType: string;
  readonly data: Buffer;
  /** The `org.opencontainers.image.title` annotation (the file name a client saves it as). */
  readonly title: string;
}

/**
 * Stores a one-layer OCI artifact (the empty config) under `repo:tag`, as a push would leave it;
 * returns the layer's digest.
 */
export function putStandInArtifact(standIn: StandIn, repo: string, tag: string, layer: StandInLayer): string {
  const config = Buffer.from("{}");
  standIn.blob(repo, config);
  const digest = standIn.blob(repo, layer.data);
  const annotations = { "org.opencontainers.image.title": layer.title };
  standIn.manifest(
    repo,
    tag,
    ociManifest([{ mediaType: layer.mediaType, digest, size: layer.data.length, annotations }]),
  );
  return digest;
}
