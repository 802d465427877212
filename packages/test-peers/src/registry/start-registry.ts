import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PeerProcess } from "@switchyard/testkit/process";
import { createPeerTempDir, launchPeer, startOnFreePort } from "@switchyard/testkit/process";
import { peerBinary } from "../peer-availability.ts";
import { renderHtpasswd } from "./htpasswd-file.ts";
import { type RegistryConfigAuth, renderRegistryConfig } from "./registry-config.ts";
import { startTokenServer, type TokenServer, type TokenServerOptions } from "./token-server.ts";

/** How the registry authenticates. */
export type RegistryAuthOptions =
  /** Anyone may pull and push. */
  | { kind: "none" }
  /** `auth.htpasswd`: 401 `Basic realm=...` without valid credentials. */
  | { kind: "htpasswd"; users: Readonly<Record<string, string>>; realm?: string }
  /** `auth.token` with a {@link startTokenServer} token server started alongside. */
  | ({ kind: "token" } & TokenServerOptions);

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** @default { kind: "none" } */
  auth?: RegistryAuthOptions;
  /** The registry's own log level (its output is in `process.lines`). @default "warn" */
  logLevel?: "error" | "warn" | "info" | "debug";
  /** Give up waiting for the port after this many milliseconds. @default 10000 */
  readyTimeoutMs?: number;
}

/** A running CNCF registry. */
export interface RegistryPeer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  /** `127.0.0.1:PORT`, the registry part of an image reference or `oci://` URL. */
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Temp dir holding config, storage, htpasswd and certificates; removed on stop. */
  readonly dir: string;
  readonly process: PeerProcess;
  /** The token server, in token mode. */
  readonly tokenServer: TokenServer | undefined;
  /** Stops the registry by its PID, the token server if any, and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's `docker-registry` (CNCF distribution 2.8) on 127.0.0.1 with filesystem storage in a
 * temp dir, deletes enabled, and open, htpasswd or token auth.
 *
 * @example
 * ```ts
 * const registry = await startRegistry({ auth: { kind: "token", users: { alice: "pw" } } });
 * const pushed = await pushArtifact(registry.url, "org/app", "1.0", {
 *   layers: [{ mediaType: "application/vnd.example.file", data: Buffer.from("hi") }],
 *   auth: { username: "alice", password: "pw" },
 * });
 * expect(registry.tokenServer?.tokensIssued).toBe(1);
 * await registry.stop();
 * ```
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryPeer> {
  const binary = peerBinary("registry");
  const temp = await createPeerTempDir("registry");
  let tokenServer: TokenServer | undefined;
  try {
    const storageDir = join(temp.path, "storage");
    await mkdir(storageDir);
    const authOptions = options.auth ?? { kind: "none" };
    let auth: RegistryConfigAuth = { kind: "none" };
    if (authOptions.kind === "htpasswd") {
      const path = join(temp.path, "htpasswd");
      await writeFile(path, renderHtpasswd(authOptions.users));
      auth = { kind: "htpasswd", realm: authOptions.realm ?? "switchyard-registry", path };
    } else if (authOptions.kind === "token") {
      const { kind: _kind, ...tokenOptions } = authOptions;
      tokenServer = await startTokenServer(tokenOptions);
      const rootCertBundle = join(temp.path, "token-ca.pem");
      await writeFile(rootCertBundle, tokenServer.signingKey.certificatePem);
      auth = {
        kind: "token",
        realm: tokenServer.realm,
        service: tokenServer.service,
        issuer: tokenServer.issuer,
        rootCertBundle,
      };
    }
    const configPath = join(temp.path, "config.yml");
    const { child, port } = await startOnFreePort(async (port) => {
      await writeFile(
        configPath,
        renderRegistryConfig({
          port,
          storageDir,
          secret: randomBytes(16).toString("hex"),
          auth,
          logLevel: options.logLevel ?? "warn",
        }),
      );
      const child = await launchPeer({
        name: "docker-registry",
        command: binary,
        args: ["serve", configPath],
        cwd: temp.path,
        // No proxy or OpenTelemetry settings from the environment leak into the registry.
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: temp.path },
        port,
        readyTimeoutMs: options.readyTimeoutMs,
      });
      return { child, port };
    });
    let stopped: Promise<void> | undefined;
    const token = tokenServer;
    return {
      url: `http://127.0.0.1:${port}`,
      host: `127.0.0.1:${port}`,
      port,
      pid: child.pid,
      dir: temp.path,
      process: child,
      tokenServer: token,
      stop() {
        stopped ??= (async () => {
          await child.stop();
          await token?.stop();
          await temp.remove();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await tokenServer?.stop();
    await temp.remove();
    throw error;
  }
}
