import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendJson } from "@switchyard/testkit/servers";
import { sendJsonError, sendXmlError } from "./google-errors.ts";

/** What a bearer token may do. */
export type TokenCheck = (token: string) => { readonly scopes: readonly string[] } | undefined;

/** A stored object. */
export interface StoredObject {
  readonly data: Buffer;
  readonly contentType: string;
  readonly generation: number;
  readonly md5: string;
}

/** One request the stand-in handled. */
export interface GcsRequestRecord {
  readonly method: string;
  readonly url: string;
  readonly api: "xml" | "json" | "upload";
  /** The bearer token sent, if any (tests only). */
  readonly token: string | undefined;
  status: number;
}

/** Options of {@link startGcsStandIn}. */
export interface GcsStandInOptions {
  readonly buckets: readonly string[];
  /** Decides whether a bearer token is valid and which scopes it has. */
  readonly checkToken: TokenCheck;
  /** Buckets readable without a token. @default [] */
  readonly publicBuckets?: readonly string[];
}

/** A running GCS stand-in. */
export interface GcsStandIn {
  readonly url: string;
  readonly objects: Map<string, StoredObject>;
  readonly requests: readonly GcsRequestRecord[];
  /** Stores an object directly (seeding), as an upload would: a new generation and its MD5. */
  put(bucket: string, name: string, data: string | Uint8Array, contentType?: string): StoredObject;
  stop(): Promise<void>;
}

const WRITE_SCOPES = new Set([
  "https://www.googleapis.com/auth/devstorage.read_write",
  "https://www.googleapis.com/auth/devstorage.full_control",
  "https://www.googleapis.com/auth/cloud-platform",
]);

const MAX_BODY = 64 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error("too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` against `size`; "unsatisfiable" or undefined (whole). */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) return "unsatisfiable";
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

function metadata(bucket: string, name: string, o: StoredObject): Record<string, unknown> {
  return {
    kind: "storage#object",
    id: `${bucket}/${name}/${o.generation}`,
    name,
    bucket,
    generation: String(o.generation),
    metageneration: "1",
    contentType: o.contentType,
    size: String(o.data.length),
    md5Hash: o.md5,
    etag: `"${o.md5}"`,
    timeCreated: new Date(o.generation).toISOString(),
    updated: new Date(o.generation).toISOString(),
  };
}

/** Google's APIs answer JSON with a charset. */
function sendJsonGoogle(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, { "content-type": "application/json; charset=UTF-8" });
}

function sendMedia(req: IncomingMessage, res: ServerResponse, o: StoredObject, xmlErrors: boolean): void {
  const range = parseRange(req.headers.range, o.data.length);
  const common = {
    "content-type": o.contentType,
    etag: `"${o.md5}"`,
    "x-goog-generation": String(o.generation),
    "x-goog-hash": `md5=${o.md5}`,
    "x-goog-stored-content-length": String(o.data.length),
    "accept-ranges": "bytes",
  };
  if (range === "unsatisfiable") {
    if (xmlErrors) sendXmlError(res, 416, "InvalidRange", "The requested range cannot be satisfied.");
    else sendJsonError(res, 416, "requestedRangeNotSatisfiable", "Request range not satisfiable");
    return;
  }
  const slice = range ? o.data.subarray(range.start, range.end + 1) : o.data;
  res.writeHead(range ? 206 : 200, {
    ...common,
    "content-length": slice.length,
    ...(range ? { "content-range": `bytes ${range.start}-${range.end}/${o.data.length}` } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : slice);
}

/** Splits a `multipart/related` upload into its JSON metadata and media parts. */
function parseMultipart(
  body: Buffer,
  contentType: string,
): { meta: Record<string, unknown>; media: Buffer; mediaType: string } | undefined {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) break;
    parts.push(body.subarray(at + delimiter.length, next));
    at = next;
  }
  const decoded = parts.map((p) => {
    const split = p.indexOf("\r\n\r\n");
    const head = p.subarray(0, split).toString("utf8");
    let content = p.subarray(split + 4);
    if (content.subarray(-2).toString() === "\r\n") content = content.subarray(0, -2);
    return { type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? "application/octet-stream", content };
  });
  const [metaPart, mediaPart] = decoded;
  if (!metaPart || !mediaPart) return undefined;
  return {
    meta: JSON.parse(metaPart.content.toString("utf8")) as Record<string, unknown>,
    media: mediaPart.content,
    mediaType: mediaPart.type,
  };
}

/**
 * Starts a stand-in for Cloud Storage on 127.0.0.1: the XML API path form
 * (`GET/HEAD/PUT/DELETE /bucket/object`, Range) and the JSON API (object metadata, `alt=media`
 * download with Range, list, delete, `uploadType=media|multipart` uploads). Bearer tokens are
 * checked with `checkToken`; a missing or invalid token gets 401 with Google's JSON error envelope
 * (what the JSON API sends), writes need a read-write scope (403 otherwise). No real GCS server can
 * be run here, so this is checked against the official client in its own test.
 */
export async function startGcsStandIn(options: GcsStandInOptions): Promise<GcsStandIn> {
  const buckets = new Set(options.buckets);
  const publicBuckets = new Set(options.publicBuckets ?? []);
  const objects = new Map<string, StoredObject>();
  const requests: GcsRequestRecord[] = [];
  let generation = Date.now() * 1000;

  function store(bucket: string, name: string, data: Buffer, contentType: string): StoredObject {
    const o = {
      data,
      contentType,
      generation: ++generation,
      md5: createHash("md5").update(data).digest("base64"),
    };
    objects.set(`${bucket}/${name}`, o);
    return o;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, record: GcsRequestRecord): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const method = req.method ?? "GET";
    const write = method === "PUT" || method === "POST" || method === "DELETE";
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
    (record as { token: string | undefined }).token = token;
    const json = url.pathname.startsWith("/storage/v1/") || url.pathname.startsWith("/upload/storage/v1/");
    const path = url.pathname.split("/");
    // JSON paths: /storage/v1/b/BUCKET/o/... and /upload/storage/v1/b/BUCKET/o
    const at = json ? path.indexOf("b") + 1 : 1;
    const bucket = decodeURIComponent(path[at] ?? "");
    // Authentication first, as GCS does: 401 with the JSON envelope.
    const grant = token === undefined ? undefined : options.checkToken(token);
    if (token !== undefined && !grant) {
      sendJsonError(res, 401, "authError", "Invalid Credentials", {
        locationType: "header",
        location: "Authorization",
        headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      });
      return;
    }
    if (!grant && !(publicBuckets.has(bucket) && !write)) {
      sendJsonError(
        res,
        401,
        "required",
        "Anonymous caller does not have storage.objects.get access to the Google Cloud Storage object.",
        {
          locationType: "header",
          location: "Authorization",
        },
      );
      return;
    }
    if (write && grant && !grant.scopes.some((s) => WRITE_SCOPES.has(s))) {
      sendJsonError(res, 403, "insufficientPermissions", "Provided scope(s) are not authorized");
      return;
    }
    if (!buckets.has(bucket)) {
      if (json) sendJsonError(res, 404, "notFound", "The specified bucket does not exist.");
      else sendXmlError(res, 404, "NoSuchBucket", "The specified bucket does not exist.");
      return;
    }
    if (!json) {
      const name = decodeURIComponent(path.slice(2).join("/"));
      const key = `${bucket}/${name}`;
      if (method === "PUT") {
        const o = store(
          bucket,
          name,
          await readBody(req),
          req.headers["content-type"] ?? "application/octet-stream",
        );
        res.writeHead(200, {
          etag: `"${o.md5}"`,
          "x-goog-generation": String(o.generation),
          "content-length": 0,
        });
        res.end();
        return;
      }
      const o = objects.get(key);
      if (!o) {
        if (method === "HEAD") {
          res.writeHead(404, { "content-length": 0 });
          res.end();
        } else sendXmlError(res, 404, "NoSuchKey", "The specified key does not exist.");
        return;
      }
      if (method === "DELETE") {
        objects.delete(key);
        res.writeHead(204);
        res.end();
        return;
      }
      if (method === "GET" || method === "HEAD") return sendMedia(req, res, o, true);
      sendXmlError(
        res,
        405,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
      );
      return;
    }
    // JSON API: /storage/v1/b/BUCKET/o[/OBJECT] and /upload/storage/v1/b/BUCKET/o
    if (url.pathname.startsWith("/upload/")) {
      const uploadType = url.searchParams.get("uploadType");
      const body = await readBody(req);
      let o: StoredObject;
      let name: string;
      if (uploadType === "media") {
        name = url.searchParams.get("name") ?? "";
        o = store(bucket, name, body, req.headers["content-type"] ?? "application/octet-stream");
      } else if (uploadType === "multipart") {
        const parts = parseMultipart(body, req.headers["content-type"] ?? "");
        if (!parts) return sendJsonError(res, 400, "invalid", "Malformed multipart body");
        name = String(parts.meta.name ?? url.searchParams.get("name") ?? "");
        o = store(bucket, name, parts.media, String(parts.meta.contentType ?? parts.mediaType));
      } else {
        return sendJsonError(
          res,
          400,
          "invalid",
          "The stand-in supports uploadType=media and multipart only",
        );
      }
      if (!name) return sendJsonError(res, 400, "required", "Required parameter: name");
      return sendJsonGoogle(res, 200, metadata(bucket, name, o));
    }
    if (path[5] !== "o") return sendJsonError(res, 404, "notFound", "Not Found");
    if (path.length === 6 || (path.length === 7 && path[6] === "")) {
      if (method !== "GET") return sendJsonError(res, 405, "methodNotAllowed", "Method not allowed");
      const prefix = url.searchParams.get("prefix") ?? "";
      const items = [...objects.entries()]
        .filter(([k]) => k.startsWith(`${bucket}/${prefix}`))
        .map(([k, o]) => metadata(bucket, k.slice(bucket.length + 1), o));
      return sendJsonGoogle(res, 200, { kind: "storage#objects", items });
    }
    const name = decodeURIComponent(path.slice(6).join("/"));
    const o = objects.get(`${bucket}/${name}`);
    if (!o) return sendJsonError(res, 404, "notFound", `No such object: ${bucket}/${name}`);
    if (method === "DELETE") {
      objects.delete(`${bucket}/${name}`);
      res.writeHead(204);
      res.end();
      return;
    }
    if (method !== "GET") return sendJsonError(res, 405, "methodNotAllowed", "Method not allowed");
    if (url.searchParams.get("alt") === "media") return sendMedia(req, res, o, false);
    sendJsonGoogle(res, 200, metadata(bucket, name, o));
  }

  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    const api = url.startsWith("/upload/") ? "upload" : url.startsWith("/storage/") ? "json" : "xml";
    const record: GcsRequestRecord = { method: req.method ?? "GET", url, api, token: undefined, status: 0 };
    requests.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });
    handle(req, res, record).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    objects,
    requests,
    put(bucket, name, data, contentType = "application/octet-stream") {
      return store(bucket, name, Buffer.from(data), contentType);
    },
    stop() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
