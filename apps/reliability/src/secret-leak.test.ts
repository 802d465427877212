// Secret-leak test across every package: a unique secret planted in every credential kind (auth's
// bearer, basic, conda token, custom header, S3 keys, OAuth; env, netrc and credentials.json
// stores; gcs service-account key, fetched and static tokens, the metadata server; s3 secret key
// and session token; URL and mirror userinfo; a per-call credential), then every failure path
// (refused, reset, truncated, 401, 403, timeouts, bad files, bad token answers). Every error
// (message, stack, cause chain), every event on every switchyard:* channel and everything written
// to the console or stdout/stderr is scanned for every form of every secret.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auth, envStore, fileStore, memoryStore, netrcStore, oauthStore } from "@switchyard/auth";
import { type Client, Context, createClient, credentialKey, type Middleware } from "@switchyard/core";
import { gcs, metadataServer, serviceAccount, staticToken } from "@switchyard/gcs";
import { mirror } from "@switchyard/mirror";
import { oci } from "@switchyard/oci";
import { retry } from "@switchyard/retry";
import { retryAfter } from "@switchyard/retry-after";
import { s3 } from "@switchyard/s3";
import { type S3Peer, startS3 } from "@switchyard/test-peers";
import { findSecrets, secretForms } from "@switchyard/testkit/conformance";
import { sendJson, startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

/** Every channel the packages document (core, retry, retry-after, auth, mirror, oci, s3, gcs). */
const CHANNELS = [
  "switchyard:core:request",
  "switchyard:core:response",
  "switchyard:core:redirect",
  "switchyard:core:error",
  "switchyard:retry:retry",
  "switchyard:retry:give-up",
  "switchyard:retry:resume",
  "switchyard:retry-after:record",
  "switchyard:retry-after:wait",
  "switchyard:retry-after:reject",
  "switchyard:retry-after:invalid",
  "switchyard:auth:applied",
  "switchyard:auth:skipped",
  "switchyard:auth:challenge",
  "switchyard:auth:file-problem",
  "switchyard:auth:token-refresh",
  "switchyard:auth:env-missing",
  "switchyard:mirror:selected",
  "switchyard:mirror:failed",
  "switchyard:mirror:recovered",
  "switchyard:oci:probe",
  "switchyard:oci:token",
  "switchyard:oci:resolve",
  "switchyard:oci:redirect",
  "switchyard:s3:sign",
  "switchyard:s3:error",
  "switchyard:gcs:token",
  "switchyard:gcs:request",
  "switchyard:gcs:error",
] as const;

const tag = randomBytes(5).toString("hex");
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const S = {
  bearer: `LEAK-bearer-${tag}`,
  basicUser: `leakuser${tag}`,
  basicPassword: `LEAK-basic-${tag}`,
  conda: `LEAK-conda-${tag}`,
  header: `LEAK-header-${tag}`,
  oauth: `LEAK-oauth-${tag}`,
  storeS3Secret: `LEAK-store-s3secret-${tag}`,
  storeS3Session: `LEAK-store-s3session-${tag}`,
  s3Secret: `LEAK-s3secret-${tag}`,
  s3Session: `LEAK-s3session-${tag}`,
  env: `LEAK-env-${tag}`,
  netrc: `LEAK-netrc-${tag}`,
  file: `LEAK-file-${tag}`,
  badFile: `LEAK-badfile-${tag}`,
  badNetrc: `LEAK-badnetrc-${tag}`,
  gcsFetched: `LEAK-gcs-fetched-${tag}`,
  gcsStatic: `LEAK-gcs-static-${tag}`,
  gcsMetadata: `LEAK-gcs-metadata-${tag}`,
  // Two stretches of the private key's base64 body: any copy of the key shows at least one.
  gcsKeyA: PEM.split("\n")[5]!.slice(0, 40),
  gcsKeyB: PEM.split("\n")[15]!.slice(0, 40),
  ociToken: `LEAK-oci-token-${tag}`,
  ociPassword: `LEAK-oci-pass-${tag}`,
  mirrorPassword: `LEAK-mirror-pw-${tag}`,
  urlPassword: `LEAK-url-pw-${tag}`,
  perCall: `LEAK-percall-${tag}`,
};
const FORMS = secretForms({
  ...S,
  basicPair: `${S.basicUser}:${S.basicPassword}`,
  netrcPair: `netrcuser:${S.netrc}`,
  ociPair: `ociuser:${S.ociPassword}`,
  mirrorPair: `mirroruser:${S.mirrorPassword}`,
  urlPair: `urluser:${S.urlPassword}`,
});

const PEER_KEY = "AKIDLEAKPEER";

let srv: TestServer;
let s3peer: S3Peer;
let dir: string;
let deadOrigin: string;
let events: { channel: string; payload: unknown }[] = [];
let failures: { what: string; error: unknown }[] = [];
let logged: string[] = [];
const listeners = new Map<string, (message: unknown) => void>();

function scanAll(): { where: string; path: string; form: string }[] {
  const found: { where: string; path: string; form: string }[] = [];
  for (const { what, error } of failures)
    for (const f of findSecrets(error, FORMS, "error")) found.push({ where: what, ...f });
  for (const { channel, payload } of events)
    for (const f of findSecrets(payload, FORMS, "payload")) found.push({ where: channel, ...f });
  for (const line of logged)
    for (const f of findSecrets(line, FORMS, "log")) found.push({ where: "log", ...f });
  return found;
}

/** Runs one call that is expected to fail (or answer an error status); records the error. */
async function fail(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    const result = await run();
    // A status answer (401/403 through plain auth) is not an error; the body is read and dropped.
    if (result && typeof result === "object" && "discard" in result) {
      await (result as { discard(): Promise<void> }).discard();
    }
  } catch (error) {
    failures.push({ what, error });
  }
}

function handler(path: string, res: ServerResponse): boolean {
  if (path.endsWith("/401")) {
    res.writeHead(401, {
      "www-authenticate": 'Bearer realm="leak", error="invalid_token"',
      "content-length": "12",
    });
    res.end("unauthorized");
  } else if (path.endsWith("/403")) {
    res.writeHead(403, { "content-type": "text/plain", "content-length": "9" });
    res.end("forbidden");
  } else if (path.endsWith("/reset")) {
    res.socket?.resetAndDestroy();
  } else if (path.endsWith("/truncate")) {
    res.writeHead(200, { "content-length": "1000" });
    res.write("x".repeat(10), () => res.socket?.end());
  } else if (path.endsWith("/slow")) {
    // Never answers; the client's timeout fires. The socket goes when the client closes.
  } else return false;
  return true;
}

const PATHS = ["401", "403", "reset", "truncate", "slow"] as const;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sy-leak-"));
  srv = await startTestServer();
  s3peer = await startS3({
    buckets: ["leaky"],
    credentials: {
      accessKeyId: PEER_KEY,
      secretAccessKey: "peer-secret-not-planted",
      sessionToken: S.s3Session,
    },
  });
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  deadOrigin = `http://127.0.0.1:${(closed.address() as net.AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  srv.route("/*", (req, response) => {
    const res = response as ServerResponse;
    const path = (req.url ?? "/").split("?")[0]!;
    if (handler(path, res)) return;
    // GCS token endpoints and the metadata server.
    if (path === "/gcs-token/refuse") {
      sendJson(res, 400, { error: "invalid_grant", error_description: "Invalid JWT Signature." });
    } else if (path === "/gcs-token/ok") {
      sendJson(res, 200, { access_token: S.gcsFetched, expires_in: 3600, token_type: "Bearer" });
    } else if (path.startsWith("/computeMetadata/")) {
      // No Metadata-Flavor header: the plugin must refuse the answer without echoing the token.
      sendJson(res, 200, { access_token: S.gcsMetadata, expires_in: 3600, token_type: "Bearer" });
    } else if (path.startsWith("/gbucket/")) {
      sendJson(res, path.endsWith("/403") ? 403 : 401, {
        error: { code: 401, message: "Invalid Credentials", errors: [{ reason: "authError" }] },
      });
    } else if (path === "/v2/" || path.startsWith("/v2/")) {
      sendJson(
        res,
        401,
        { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] },
        {
          // Registry "localhost:PORT" hands out a token (then refuses it); "127.0.0.1:PORT" refuses the credentials.
          "www-authenticate": `Bearer realm="${srv.origin}/oci-token/${req.headers.host?.startsWith("localhost") ? "ok" : "refuse"}",service="leak"`,
        },
      );
    } else if (path === "/oci-token/refuse") {
      sendJson(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "bad credentials" }] });
    } else if (path === "/oci-token/ok") {
      sendJson(res, 200, { token: S.ociToken, expires_in: 300 });
    } else {
      res.writeHead(404, { "content-length": "0" });
      res.end();
    }
  });
  for (const channel of CHANNELS) {
    const listener = (payload: unknown) => events.push({ channel, payload });
    listeners.set(channel, listener);
    diagnosticsChannel.subscribe(channel, listener);
  }
});

afterAll(async () => {
  for (const [channel, listener] of listeners) diagnosticsChannel.unsubscribe(channel, listener);
  await srv?.close();
  await s3peer?.stop();
  await rm(dir, { recursive: true, force: true });
});

const originals = {
  log: console.log,
  info: console.info,
  warn: console.warn,
  error: console.error,
  debug: console.debug,
  out: process.stdout.write,
  err: process.stderr.write,
};

beforeEach(() => {
  events = [];
  failures = [];
  logged = [];
  for (const m of ["log", "info", "warn", "error", "debug"] as const) {
    console[m] = (...args: unknown[]) => {
      logged.push(args.map(String).join(" "));
    };
  }
  const tap =
    (write: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      logged.push(String(chunk));
      return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    };
  process.stdout.write = tap(originals.out) as typeof process.stdout.write;
  process.stderr.write = tap(originals.err) as typeof process.stderr.write;
});

afterEach(() => {
  console.log = originals.log;
  console.info = originals.info;
  console.warn = originals.warn;
  console.error = originals.error;
  console.debug = originals.debug;
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
});

/** The checks every test ends with: failures happened, events were seen, nothing leaked. */
function expectNoLeak(minFailures: number): void {
  expect(failures.length).toBeGreaterThanOrEqual(minFailures);
  expect(events.length).toBeGreaterThan(0);
  expect(scanAll()).toEqual([]);
}

function host(origin: string): string {
  return new URL(origin).host;
}

/** The all-seven stack around `extra` stores; retry is quick, timeouts short. */
function fullStack(
  stores: Parameters<typeof auth>[0]["stores"],
  more: Partial<Record<"s3" | "gcs" | "oci", Middleware>> = {},
): Client {
  return createClient({
    timeout: 150,
    middleware: [
      retry({ maxRetries: 1, minDelay: 1, maxDelay: 2 }),
      retryAfter({ maxWait: 100 }),
      auth({ stores, allowInsecureHttp: true }),
      mirror({
        mirrors: {
          [`${srv.origin}/mirrored`]: [
            `http://mirroruser:${S.mirrorPassword}@${host(deadOrigin)}/m`,
            `${srv.origin}/k/bearer`,
          ],
        },
        delay: () => 1,
      }),
      more.oci ?? oci({ insecureRegistries: [host(srv.origin)] }),
      more.s3 ??
        s3({
          endpoint: s3peer.url,
          region: s3peer.region,
          credentials: { accessKeyId: PEER_KEY, secretAccessKey: S.s3Secret, sessionToken: S.s3Session },
        }),
      more.gcs ?? gcs({ endpoint: srv.origin, auth: staticToken(S.gcsStatic) }),
    ],
  });
}

describe("no planted secret leaks", () => {
  it("the scan finds a secret in any form wherever it hides (self-check)", () => {
    failures.push({
      what: "planted",
      error: new Error("outer", {
        cause: new Error(`Basic ${Buffer.from(`${S.basicUser}:${S.basicPassword}`).toString("base64")}`),
      }),
    });
    events.push({
      channel: "switchyard:test",
      payload: { nested: { url: `https://x/?t=${encodeURIComponent(S.gcsKeyA)}` } },
    });
    logged.push(`token ${S.oauth}`);
    const found = scanAll().map((f) => f.form);
    expect(found, JSON.stringify(found)).toEqual(expect.arrayContaining(["basicPair (base64)", "oauth"]));
    expect(
      found.some((f) => f.startsWith("gcsKeyA")),
      JSON.stringify(found),
    ).toBe(true);
  });

  it("from auth's credential kinds and stores through every failure path", async () => {
    await writeFile(
      join(dir, "netrc"),
      `machine ${host(srv.origin)}\n  login netrcuser\n  password ${S.netrc}\n`,
    );
    await writeFile(
      join(dir, "credentials.json"),
      JSON.stringify({ [`${host(srv.origin)}/k/file`]: { BearerToken: S.file } }),
    );
    const entries = (origin: string) => ({
      [`${host(origin)}/k/bearer`]: { kind: "bearer" as const, token: S.bearer },
      [`${host(origin)}/k/basic`]: {
        kind: "basic" as const,
        username: S.basicUser,
        password: S.basicPassword,
      },
      [`${host(origin)}/k/conda`]: { kind: "conda-token" as const, token: S.conda },
      [`${host(origin)}/k/header`]: { kind: "header" as const, name: "X-Api-Key", value: S.header },
      [`${host(origin)}/k/s3`]: {
        kind: "s3" as const,
        accessKeyId: "AKIDSTORE",
        secretAccessKey: S.storeS3Secret,
        sessionToken: S.storeS3Session,
      },
    });
    const client = fullStack([
      memoryStore({ ...entries(srv.origin), ...entries(deadOrigin) }),
      oauthStore({
        [`${host(srv.origin)}/k/oauth`]: {
          refresh: async () => ({ token: S.oauth, expiresAt: Date.now() + 3_600_000 }),
        },
        [`${host(deadOrigin)}/k/oauth`]: {
          refresh: async () => ({ token: S.oauth, expiresAt: Date.now() + 3_600_000 }),
        },
      }),
      envStore({
        entries: {
          [`${host(srv.origin)}/k/env`]: { kind: "bearer", tokenVar: "SY_LEAK_TOKEN" },
          [`${host(srv.origin)}/k/env-missing`]: { kind: "bearer", tokenVar: "SY_LEAK_MISSING" },
        },
        env: { SY_LEAK_TOKEN: S.env },
      }),
      fileStore(join(dir, "credentials.json")),
      netrcStore(join(dir, "netrc")),
    ]);
    try {
      for (const kind of [
        "bearer",
        "basic",
        "conda",
        "header",
        "s3",
        "oauth",
        "env",
        "env-missing",
        "file",
        "netrc",
      ]) {
        for (const path of PATHS) {
          await fail(`${kind} ${path}`, () =>
            client.request(`${srv.origin}/k/${kind}/${path}`).then((r) => r.text()),
          );
          if (path === "slow") continue; // one timeout per kind is enough
          await fail(`${kind} ${path} POST`, () =>
            client
              .request(`${srv.origin}/k/${kind}/${path}`, { method: "POST", body: "x" })
              .then((r) => r.text()),
          );
        }
        await fail(`${kind} refused`, () => client.request(`${deadOrigin}/k/${kind}/x`));
      }
      // A per-call credential, and a mirror whose URL carries userinfo (tried first, refused).
      for (const path of PATHS) {
        await fail(`per-call ${path}`, () =>
          client
            .request(`${srv.origin}/k/none/${path}`, {
              context: new Context().set(credentialKey, { kind: "bearer", token: S.perCall }),
            })
            .then((r) => r.text()),
        );
        await fail(`mirror ${path}`, () =>
          client.request(`${srv.origin}/mirrored/${path}`).then((r) => r.text()),
        );
      }
      await fail("url userinfo refused", () =>
        client.request(`http://urluser:${S.urlPassword}@${host(deadOrigin)}/x`),
      );
      await fail("url userinfo reset", () =>
        client.request(`http://urluser:${S.urlPassword}@${host(srv.origin)}/k/none/reset`),
      );
    } finally {
      await client.close();
    }
    expectNoLeak(40);
    // The paths really were driven: applied credentials, timeouts, resets, refusals, mirror failures.
    const channels = new Set(events.map((e) => e.channel));
    for (const c of [
      "switchyard:auth:applied",
      "switchyard:auth:env-missing",
      "switchyard:core:error",
      "switchyard:mirror:failed",
      "switchyard:retry:retry",
    ])
      expect(channels, c).toContain(c);
    const codes = new Set(failures.map((f) => (f.error as { code?: string }).code));
    for (const c of ["SWITCHYARD_ERR_CONNECT", "SWITCHYARD_ERR_SOCKET", "SWITCHYARD_ERR_TIMEOUT"])
      expect(codes, c).toContain(c);
  });

  it("from bad credential files, strict and lenient", async () => {
    await writeFile(join(dir, "bad.json"), `{"${host(srv.origin)}": {"BearerToken": "${S.badFile}"`);
    await writeFile(
      join(dir, "bad-kind.json"),
      JSON.stringify({ [host(srv.origin)]: { Nonsense: S.badFile } }),
    );
    await writeFile(join(dir, "bad-netrc"), `machine ${host(srv.origin)} login u password "${S.badNetrc}\n`);
    for (const lenient of [false, true]) {
      const client = fullStack([
        fileStore(join(dir, "bad.json"), { lenient }),
        fileStore(join(dir, "bad-kind.json"), { lenient }),
        netrcStore({ path: join(dir, "bad-netrc"), lenient }),
      ]);
      try {
        await fail(`bad files lenient=${lenient}`, () =>
          client.request(`${srv.origin}/k/none/403`).then((r) => r.text()),
        );
        await fail(`bad files lenient=${lenient} refused`, () => client.request(`${deadOrigin}/x`));
      } finally {
        await client.close();
      }
    }
    expect(failures.some((f) => (f.error as { code?: string }).code === "SWITCHYARD_ERR_AUTH_FILE")).toBe(
      true,
    );
    expect(events.some((e) => e.channel === "switchyard:auth:file-problem")).toBe(true);
    expectNoLeak(2);
  });

  it("from s3: wrong secret (S3 echoes the canonical request with the session token), unknown key, store keys, refused, resets, timeouts", async () => {
    const buckets = { dead: { endpoint: deadOrigin }, srv: { endpoint: srv.origin } };
    const store = memoryStore(
      Object.fromEntries(
        ["leaky", "dead", "srv"].map((b) => [
          `s3://${b}`,
          {
            kind: "s3" as const,
            accessKeyId: PEER_KEY,
            secretAccessKey: S.storeS3Secret,
            sessionToken: S.storeS3Session,
          },
        ]),
      ),
    );
    const clients = [
      // The peer's own key id and session token with a wrong secret: SignatureDoesNotMatch, whose
      // body echoes the canonical request (x-amz-security-token included) and the string to sign.
      fullStack([], {
        s3: s3({
          endpoint: s3peer.url,
          region: s3peer.region,
          credentials: { accessKeyId: PEER_KEY, secretAccessKey: S.s3Secret, sessionToken: S.s3Session },
          buckets,
        }),
      }),
      fullStack([], {
        s3: s3({
          endpoint: s3peer.url,
          region: s3peer.region,
          credentials: { accessKeyId: "AKIDUNKNOWN", secretAccessKey: S.s3Secret },
          buckets,
        }),
      }),
      // Keys from a store (as auth provides them): a wrong session token.
      fullStack([store], {
        s3: s3({
          endpoint: s3peer.url,
          region: s3peer.region,
          store: auth({ stores: [store] }).store,
          buckets,
        }),
      }),
    ];
    try {
      for (const client of clients) {
        await fail("s3 get", () => client.request("s3://leaky/some/key"));
        await fail("s3 head", () => client.request("s3://leaky/some/key", { method: "HEAD" }));
        await fail("s3 put", () => client.request("s3://leaky/some/key", { method: "PUT", body: "data" }));
        await fail("s3 refused", () => client.request("s3://dead/key"));
        for (const path of PATHS)
          await fail(`s3 srv ${path}`, () => client.request(`s3://srv/${path}`).then((r) => r.text()));
      }
    } finally {
      for (const client of clients) await client.close();
    }
    const s3Codes = new Set(failures.map((f) => (f.error as { s3Code?: string }).s3Code));
    for (const c of ["SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken"])
      expect(s3Codes, c).toContain(c);
    const codes = new Set(failures.map((f) => (f.error as { code?: string }).code));
    for (const c of ["SWITCHYARD_ERR_CONNECT", "SWITCHYARD_ERR_SOCKET", "SWITCHYARD_ERR_TIMEOUT"])
      expect(codes, c).toContain(c);
    expectNoLeak(20);
  });

  it("from gcs: service-account key refused or fetched then rejected, static and metadata tokens", async () => {
    const key = (tokenUri: string) =>
      JSON.stringify({
        type: "service_account",
        client_email: "leak@example.iam.gserviceaccount.com",
        private_key: PEM,
        token_uri: tokenUri,
      });
    const providers = [
      serviceAccount(key(`${srv.origin}/gcs-token/refuse`)),
      serviceAccount(key(`${deadOrigin}/token`)),
      serviceAccount(key(`${srv.origin}/gcs-token/ok`)),
      staticToken(S.gcsStatic),
      metadataServer({ host: host(srv.origin) }),
    ];
    const clients = providers.map((provider) =>
      fullStack([], { gcs: gcs({ endpoint: srv.origin, auth: provider }) }),
    );
    const dead = fullStack([], { gcs: gcs({ endpoint: deadOrigin, auth: staticToken(S.gcsStatic) }) });
    try {
      for (const client of clients) {
        await fail("gcs 401", () => client.request("gs://gbucket/object/401"));
        await fail("gcs 403", () => client.request("gs://gbucket/object/403"));
        await fail("gcs put", () => client.request("gs://gbucket/object/401", { method: "PUT", body: "x" }));
      }
      await fail("gcs refused", () => dead.request("gs://gbucket/object"));
    } finally {
      for (const client of [...clients, dead]) await client.close();
    }
    const codes = new Set(failures.map((f) => (f.error as { code?: string }).code));
    expect(codes).toContain("SWITCHYARD_ERR_GCS_TOKEN");
    expect(codes).toContain("SWITCHYARD_ERR_GCS");
    expectNoLeak(10);
  });

  it("from oci: stored basic credentials refused by the token endpoint, a fetched token rejected", async () => {
    const port = new URL(srv.origin).port;
    const registries = [`127.0.0.1:${port}`, `localhost:${port}`];
    const store = memoryStore(
      Object.fromEntries(
        registries.map((r) => [
          `${r}/org`,
          { kind: "basic" as const, username: "ociuser", password: S.ociPassword, allowInsecureHttp: true },
        ]),
      ),
    );
    const client = fullStack([], {
      oci: oci({
        insecureRegistries: [...registries, host(deadOrigin)],
        credentials: auth({ stores: [store] }).store,
      }),
    });
    try {
      for (const registry of [...registries, host(deadOrigin)]) {
        await fail(`oci ${registry}`, () => client.request(`oci://${registry}/org/pkg:1.0`));
      }
    } finally {
      await client.close();
    }
    expect(failures.some((f) => (f.error as { code?: string }).code === "SWITCHYARD_ERR_OCI_AUTH")).toBe(
      true,
    );
    expect(
      events.some(
        (e) => e.channel === "switchyard:oci:token" && (e.payload as { status?: number }).status === 200,
      ),
    ).toBe(true);
    expectNoLeak(3);
  });
});
