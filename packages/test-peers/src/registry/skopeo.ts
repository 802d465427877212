import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createPeerTempDir, type PeerTempDir } from "@switchyard/testkit/process";
import { peerBinary } from "../peer-availability.ts";

/** Options of the skopeo helpers. */
export interface SkopeoOptions {
  /** Registry credentials (`--creds` / `--src-creds`). @default anonymous */
  creds?: { username: string; password: string };
  /** Kill skopeo after this many milliseconds. @default 30000 */
  timeoutMs?: number;
}

/** Result of one skopeo run. */
export interface SkopeoResult {
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs `skopeo <args>` isolated from the machine's container config: its own trust policy (accept
 * anything), empty registries.conf and auth file, and temp dir; all inside a temp dir removed afterwards.
 * Rejects with skopeo's stderr when it fails.
 */
export async function runSkopeo(
  args: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<SkopeoResult> {
  const binary = peerBinary("skopeo");
  const temp = await createPeerTempDir("skopeo");
  try {
    const policy = join(temp.path, "policy.json");
    await writeFile(policy, JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }));
    await writeFile(join(temp.path, "auth.json"), JSON.stringify({ auths: {} }));
    await writeFile(join(temp.path, "registries.conf"), "");
    await mkdir(join(temp.path, "registries.d"));
    await mkdir(join(temp.path, "tmp"));
    const timeoutMs = options.timeoutMs ?? 30_000;
    const fullArgs = [
      "--policy",
      policy,
      "--registries.d",
      join(temp.path, "registries.d"),
      "--tmpdir",
      join(temp.path, "tmp"),
      "--command-timeout",
      `${Math.ceil(timeoutMs / 1000)}s`,
      ...args,
    ];
    return await new Promise<SkopeoResult>((resolve, reject) => {
      execFile(
        binary,
        fullArgs,
        {
          encoding: "buffer",
          timeout: timeoutMs,
          killSignal: "SIGKILL",
          maxBuffer: 64 * 1024 * 1024,
          env: {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            HOME: temp.path,
            XDG_RUNTIME_DIR: temp.path,
            REGISTRY_AUTH_FILE: join(temp.path, "auth.json"),
            CONTAINERS_REGISTRIES_CONF: join(temp.path, "registries.conf"),
          },
        },
        (error, stdout, stderr) => {
          if (error) {
            reject(
              new Error(`skopeo ${args.join(" ")} failed: ${stderr.toString().trim() || error.message}`),
            );
          } else {
            resolve({ stdout, stderr: stderr.toString() });
          }
        },
      );
    });
  } finally {
    await temp.remove();
  }
}

function dockerReference(registryUrl: string | URL, repository: string, reference: string): string {
  const host = new URL(registryUrl).host;
  const separator = reference.startsWith("sha256:") ? "@" : ":";
  return `docker://${host}/${repository}${separator}${reference}`;
}

const credsArgs = (flag: string, creds: SkopeoOptions["creds"]): string[] =>
  creds ? [flag, `${creds.username}:${creds.password}`] : [];

/** Fetches the raw manifest bytes of `repository:reference` with skopeo (`skopeo inspect --raw`). */
export async function skopeoInspectRaw(
  registryUrl: string | URL,
  repository: string,
  reference: string,
  options: SkopeoOptions = {},
): Promise<Buffer> {
  const result = await runSkopeo(
    [
      "inspect",
      "--raw",
      "--tls-verify=false",
      ...credsArgs("--creds", options.creds),
      dockerReference(registryUrl, repository, reference),
    ],
    options,
  );
  return result.stdout;
}

/** A `dir:` copy made by skopeo: the manifest and every blob as skopeo itself downloaded them. */
export interface SkopeoDirCopy {
  /** The directory skopeo wrote (`manifest.json` plus one file per blob, named by hex digest). */
  readonly dir: string;
  /** The manifest bytes as stored by skopeo. */
  readonly manifest: Buffer;
  /** Reads a blob skopeo downloaded, by `sha256:<hex>` digest. */
  readBlob(digest: string): Promise<Buffer>;
  /** Removes the directory. */
  remove(): Promise<void>;
}

/**
 * Copies `repository:reference` from the registry into a local `dir:` layout with skopeo, as an
 * independent client: proves what is stored can be read (and digest-checked) by another implementation.
 */
export async function skopeoCopyToDir(
  registryUrl: string | URL,
  repository: string,
  reference: string,
  options: SkopeoOptions = {},
): Promise<SkopeoDirCopy> {
  const temp: PeerTempDir = await createPeerTempDir("skopeo-copy");
  try {
    const dir = join(temp.path, "image");
    await runSkopeo(
      [
        "copy",
        "--quiet",
        "--preserve-digests",
        "--src-tls-verify=false",
        ...credsArgs("--src-creds", options.creds),
        dockerReference(registryUrl, repository, reference),
        `dir:${dir}`,
      ],
      options,
    );
    const manifest = await readFile(join(dir, "manifest.json"));
    return {
      dir,
      manifest,
      readBlob: (digest) => readFile(join(dir, digest.replace(/^sha256:/, ""))),
      remove: () => temp.remove(),
    };
  } catch (error) {
    await temp.remove();
    throw error;
  }
}
