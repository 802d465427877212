import { createReadStream } from "node:fs";
import { unlink } from "node:fs/promises";
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { checkSha256Payload, checkUnsignedTrailerPayload } from "./payload-check.ts";
import { bucketOf } from "./s3-bucket-of.ts";
import { newRequestId, sendS3Error } from "./s3-error.ts";
import { safeDecode } from "./safe-decode.ts";
import { type SigV4Credentials, verifySigV4 } from "./sigv4-verify.ts";

/** Options of {@link startSigV4Front}. */
export interface SigV4FrontOptions {
  /** The S3 server behind the front (s3rver), reached without auth. */
  upstream: { host: string; port: number };
  /** Keys accepted. */
  credentials: readonly SigV4Credentials[];
  /** Region expected in credential scopes. */
  region: string;
  /** Buckets anonymous requests may read (GET/HEAD). @default [] */
  publicBuckets?: readonly string[];
  /** Signed-payload bodies up to this size are held in memory, larger ones spooled to `spoolDir`. @default 8 MiB */
  memoryLimitBytes?: number;
  /** Directory for spooled bodies. */
  spoolDir: string;
}

/** One request the front handled. */
export interface S3RequestRecord {
  method: string;
  /** Raw path and query as received. */
  url: string;
  host: string | undefined;
  bucket: string | undefined;
  style: "virtual" | "path";
  auth: "header" | "query" | "anonymous" | "invalid";
  accessKeyId: string | undefined;
  /** `x-amz-content-sha256` as sent (undefined if absent). */
  payloadHash: string | undefined;
  /** Final status (0 until the response finished). */
  status: number;
  /** S3 error code the front answered with, if it refused the request itself. */
  errorCode: string | undefined;
}

/** A running SigV4-verifying front. */
export interface SigV4Front {
  readonly url: string;
  readonly port: number;
  readonly requests: readonly S3RequestRecord[];
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
]);
const AUTH_QUERY = new Set([
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token",
]);

/** The request target for the store: auth query parameters removed (s3rver knows none of our keys). */
function upstreamPath(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split("&")
    .filter((piece) => !AUTH_QUERY.has(safeDecode(piece.split("=")[0] ?? "")));
  return kept.length === 0 ? url.slice(0, q) : `${url.slice(0, q)}?${kept.join("&")}`;
}

/** Headers that describe the aws-chunked framing, dropped once the body has been decoded. */
const CHUNKED_FRAMING = new Set(["x-amz-decoded-content-length", "x-amz-trailer"]);

function upstreamHeaders(
  req: IncomingMessage,
  contentLength: number | undefined,
  decoded: boolean,
): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      name === "authorization" ||
      name === "x-amz-security-token"
    ) {
      continue;
    }
    if (decoded && CHUNKED_FRAMING.has(name)) continue;
    if (decoded && name === "content-encoding") {
      const rest = String(value)
        .split(",")
        .map((token) => token.trim())
        .filter((token) => token !== "" && token.toLowerCase() !== "aws-chunked");
      if (rest.length > 0) headers[name] = rest.join(", ");
      continue;
    }
    headers[name] = value;
  }
  if (contentLength !== undefined) headers["content-length"] = String(contentLength);
  return headers;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What goes upstream: a verified body held in memory or spooled to a file, or the request streamed as is. */
type ForwardBody =
  | { kind: "memory"; data: Buffer; decoded: boolean }
  | { kind: "file"; path: string; size: number; decoded: boolean }
  | { kind: "stream" };

/**
 * Starts an HTTP server on 127.0.0.1 that verifies each request's SigV4 signature (header or
 * presigned query, via {@link verifySigV4}) and its `x-amz-content-sha256`, refuses anonymous requests
 * outside public buckets, answers S3 XML errors itself, and streams everything else to `upstream`.
 */
export async function startSigV4Front(options: SigV4FrontOptions): Promise<SigV4Front> {
  const publicBuckets = new Set(options.publicBuckets ?? []);
  const memoryLimitBytes = options.memoryLimitBytes ?? 8 * 1024 * 1024;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const requests: S3RequestRecord[] = [];

  const forward = async (req: IncomingMessage, res: ServerResponse, body: ForwardBody) => {
    const declared = req.headers["content-length"];
    const contentLength =
      body.kind === "memory"
        ? body.data.byteLength
        : body.kind === "file"
          ? body.size
          : declared === undefined
            ? undefined
            : Number(declared);
    const upstream = httpRequest({
      host: options.upstream.host,
      port: options.upstream.port,
      method: req.method,
      path: upstreamPath(req.url ?? "/"),
      headers: upstreamHeaders(req, contentLength, body.kind !== "stream" && body.decoded),
      agent,
    });
    const responded = new Promise<void>((resolve, reject) => {
      upstream.once("response", (up) => {
        const headers: string[] = [];
        for (let i = 0; i + 1 < up.rawHeaders.length; i += 2) {
          const name = up.rawHeaders[i] ?? "";
          if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, up.rawHeaders[i + 1] ?? "");
        }
        res.writeHead(up.statusCode ?? 502, headers);
        pipeline(up, res).then(resolve, reject);
      });
      upstream.once("error", reject);
    });
    // Without a handler a failed upload would reject `responded` before anyone awaits it.
    responded.catch(() => {});
    try {
      if (body.kind === "memory") upstream.end(body.data);
      else if (body.kind === "stream") await pipeline(req, upstream);
      else {
        try {
          await pipeline(createReadStream(body.path), upstream);
        } finally {
          await unlink(body.path).catch(() => {});
        }
      }
      await responded;
    } catch (error) {
      upstream.destroy();
      if (!res.headersSent) {
        sendS3Error(req, res, {
          status: 502,
          code: "InternalError",
          message: `upstream failed: ${String(error)}`,
        });
      } else {
        res.destroy();
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, expectContinue: boolean) => {
    const url = req.url ?? "/";
    const { bucket, style } = bucketOf(req.headers.host, url);
    const payloadHash = req.headers["x-amz-content-sha256"];
    const record: S3RequestRecord = {
      method: req.method ?? "GET",
      url,
      host: req.headers.host,
      bucket,
      style,
      auth: "invalid",
      accessKeyId: undefined,
      payloadHash: Array.isArray(payloadHash) ? payloadHash.join(",") : payloadHash,
      status: 0,
      errorCode: undefined,
    };
    requests.push(record);
    res.once("finish", () => {
      record.status = res.statusCode;
    });
    const refuse = (error: {
      status: number;
      code: string;
      message: string;
      details?: Record<string, string>;
    }) => {
      record.errorCode = error.code;
      sendS3Error(req, res, error, newRequestId());
    };

    const verdict = verifySigV4(
      { method: req.method ?? "GET", url, headers: req.headers },
      { credentials: options.credentials, region: options.region },
    );
    if (!verdict.ok) return refuse(verdict);
    record.auth = verdict.kind;
    record.accessKeyId = verdict.accessKeyId;
    if (verdict.kind === "anonymous") {
      const readOnly = req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS";
      if (!(bucket !== undefined && publicBuckets.has(bucket) && readOnly)) {
        return refuse({ status: 403, code: "AccessDenied", message: "Access Denied" });
      }
    }
    const hash = verdict.payloadHash;
    const spool = { memoryLimitBytes, spoolDir: options.spoolDir };
    let check: (() => ReturnType<typeof checkSha256Payload>) | undefined;
    if (SHA256_HEX.test(hash)) check = () => checkSha256Payload(req, hash, spool);
    else if (hash === "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
      check = () => checkUnsignedTrailerPayload(req, spool);
    else if (hash.startsWith("STREAMING-")) {
      return refuse({
        status: 501,
        code: "NotImplemented",
        message: `The testkit S3 front does not verify signed aws-chunked bodies (${hash}); use UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER or the body's SHA-256.`,
      });
    } else if (hash !== "UNSIGNED-PAYLOAD") {
      return refuse({
        status: 400,
        code: "InvalidArgument",
        message: "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-..., or a valid sha256 value.",
      });
    }
    if (expectContinue) res.writeContinue();
    if (!check) return forward(req, res, { kind: "stream" });
    const checked = await check();
    if (!checked.ok) return refuse(checked.error);
    const { body, decoded } = checked;
    return forward(
      req,
      res,
      "memory" in body
        ? { kind: "memory", data: body.memory, decoded }
        : { kind: "file", path: body.file, size: body.size, decoded },
    );
  };

  const onRequest = (expectContinue: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, expectContinue).catch((error: unknown) => {
      if (!res.headersSent) {
        sendS3Error(req, res, { status: 500, code: "InternalError", message: String(error) });
      } else {
        res.destroy();
      }
    });
  };
  const server = createServer(onRequest(false));
  // Check the signature before telling the client to send its body (as S3 does).
  server.on("checkContinue", onRequest(true));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return stopped;
    },
  };
}
