import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { sendJson } from "@switchyard/testkit/servers";

/**
 * An in-process OCI registry stand-in, used only when the CNCF registry (`docker-registry`) is not
 * installed. It speaks the part of the distribution API a pull needs, in token mode like the real
 * one: `/v2/` answers 401 with a `Bearer realm=...,service=...` challenge, `/token` gives anonymous
 * pull tokens, and manifests (content negotiated by `Accept`) and blobs need a token whose scope
 * covers the repository.
 */
export interface OciStandIn {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `127.0.0.1:PORT`, the registry part of an `oci://` URL. */
  readonly host: string;
  readonly tokensIssued: number;
  /** Stores a one-layer artifact under `repository:tag`; returns the layer digest. */
  putArtifact(
    repository: string,
    tag: string,
    layer: { mediaType: string; data: Buffer; title: string },
  ): string;
  close(): Promise<void>;
}

const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const SERVICE = "switchyard-demo-stand-in";

function sha256(data: Buffer | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Starts the stand-in on a free loopback port. */
export async function startOciStandIn(): Promise<OciStandIn> {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Buffer>(); // "repo:tag" and "repo@digest"
  const tokens = new Map<string, { repos: Set<string>; expires: number }>();
  let issued = 0;
  let origin = "";

  function challenge(res: ServerResponse, scope?: string): void {
    const scopePart = scope ? `,scope="${scope}"` : "";
    sendJson(
      res,
      401,
      { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] },
      {
        "www-authenticate": `Bearer realm="${origin}/token",service="${SERVICE}"${scopePart}`,
      },
    );
  }

  function allowed(req: IncomingMessage, repo: string | undefined): boolean {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
    const token = m ? tokens.get(m[1]!) : undefined;
    if (!token || token.expires < Date.now()) return false;
    return repo === undefined || token.repos.has(repo);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://stand-in");
    if (url.pathname === "/token") {
      const repos = new Set<string>();
      for (const scope of url.searchParams.getAll("scope")) {
        const m = /^repository:(.+):([a-z,]+)$/.exec(scope);
        if (m?.[2]?.split(",").includes("pull")) repos.add(m[1]!);
      }
      const token = randomBytes(16).toString("hex");
      tokens.set(token, { repos, expires: Date.now() + 300_000 });
      issued++;
      sendJson(res, 200, {
        token,
        access_token: token,
        expires_in: 300,
        issued_at: new Date().toISOString(),
      });
      return;
    }
    if (url.pathname === "/v2/" || url.pathname === "/v2") {
      if (allowed(req, undefined)) sendJson(res, 200, {});
      else challenge(res);
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m || (req.method !== "GET" && req.method !== "HEAD")) {
      sendJson(res, 404, { errors: [{ code: "NAME_UNKNOWN", message: "not found" }] });
      return;
    }
    const [, repo, kind, ref] = m as unknown as [string, string, string, string];
    if (!allowed(req, repo)) {
      challenge(res, `repository:${repo}:pull`);
      return;
    }
    if (kind === "manifests") {
      const accept = req.headers.accept ?? "";
      const body = manifests.get(ref.startsWith("sha256:") ? `${repo}@${ref}` : `${repo}:${ref}`);
      if (!body || !accept.includes(MANIFEST_TYPE)) {
        sendJson(res, 404, { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] });
        return;
      }
      res.writeHead(200, {
        "content-type": MANIFEST_TYPE,
        "content-length": body.length,
        "docker-content-digest": sha256(body),
      });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    const blob = blobs.get(`${repo}@${ref}`);
    if (!blob) {
      sendJson(res, 404, { errors: [{ code: "BLOB_UNKNOWN", message: "blob unknown" }] });
      return;
    }
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": blob.length,
      "docker-content-digest": ref,
    });
    res.end(req.method === "HEAD" ? undefined : blob);
  }

  const sockets = new Set<Socket>();
  const server = createServer(handle);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    host: `127.0.0.1:${port}`,
    get tokensIssued() {
      return issued;
    },
    putArtifact(repository, tag, layer) {
      const config = Buffer.from("{}");
      const layerDigest = sha256(layer.data);
      blobs.set(`${repository}@${layerDigest}`, layer.data);
      blobs.set(`${repository}@${sha256(config)}`, config);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MANIFEST_TYPE,
          config: {
            mediaType: "application/vnd.oci.empty.v1+json",
            digest: sha256(config),
            size: config.length,
          },
          layers: [
            {
              mediaType: layer.mediaType,
              digest: layerDigest,
              size: layer.data.length,
              annotations: { "org.opencontainers.image.title": layer.title },
            },
          ],
        }),
      );
      manifests.set(`${repository}:${tag}`, manifest);
      manifests.set(`${repository}@${sha256(manifest)}`, manifest);
      return layerDigest;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
