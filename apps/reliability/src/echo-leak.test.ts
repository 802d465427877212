// The echoing-server family: servers that hand back, in every field of their answer, the
// credentials the call sent them (and, for S3, the secret key that signed it), the way a registry,
// an object store or a broken proxy quoting the request may. Every plugin that turns a server's
// answer into an error is driven: oci (registry error envelopes, a token exchange), s3 (XML
// Code/Message/RequestId..., x-amz-request-id), gcs (JSON error envelope), core's ResponseError (a
// malformed response quoting the request) and a plugin of the caller's own that throws what the
// server said. Nothing planted may appear in the error, its cause chain, JSON.stringify,
// util.inspect, or any diagnostics event.
import { randomBytes } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import net from "node:net";
import { inspect } from "node:util";
import { auth, memoryStore } from "@switchyard/auth";
import { type Client, Context, createClient, credentialKey, type Middleware } from "@switchyard/core";
import { gcs, staticToken } from "@switchyard/gcs";
import { oci } from "@switchyard/oci";
import { retry } from "@switchyard/retry";
import { s3 } from "@switchyard/s3";
import { findSecrets, secretForms } from "@switchyard/testkit/conformance";
import { sendJson, startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const tag = randomBytes(5).toString("hex");
const S = {
  bearer: `ECHO-bearer-${tag}`,
  basicPassword: `ECHO-basic-${tag}`,
  header: `ECHO-header-${tag}`,
  conda: `ECHO-conda-${tag}`,
  perCall: `ECHO-percall-${tag}`,
  callerBearer: `ECHO-caller-${tag}`,
  callerKey: `ECHO-callerkey-${tag}`,
  query: `ECHO-query-${tag}`,
  urlPassword: `ECHO-urlpw-${tag}`,
  s3KeyId: `AKIDECHO${tag.toUpperCase()}`,
  s3Secret: `ECHO-s3secret-${tag}`,
  s3Session: `ECHO-s3session-${tag}`,
  gcsToken: `ECHO-gcs-${tag}`,
  ociPassword: `ECHO-ocipw-${tag}`,
  ociToken: `ECHO-ocitoken-${tag}`,
};

/** Every channel the packages document. */
const CHANNELS = [
  "switchyard:core:request",
  "switchyard:core:response",
  "switchyard:core:redirect",
  "switchyard:core:error",
  "switchyard:retry:retry",
  "switchyard:retry:give-up",
  "switchyard:auth:applied",
  "switchyard:auth:skipped",
  "switchyard:auth:challenge",
  "switchyard:mirror:failed",
  "switchyard:oci:probe",
  "switchyard:oci:token",
  "switchyard:oci:resolve",
  "switchyard:oci:redirect",
  "switchyard:s3:sign",
  "switchyard:s3:error",
  "switchyard:gcs:request",
  "switchyard:gcs:error",
] as const;

let srv: TestServer;
let raw: net.Server;
let rawOrigin: string;
/** Every value a server planted in an answer (what it read off the requests, and more). */
const planted = new Set<string>();
let events: { channel: string; payload: unknown }[] = [];
let failures: { what: string; error: unknown }[] = [];
const listeners = new Map<string, (message: unknown) => void>();

/**
 * What a server can read off a request: secret-looking header values (whole, after the auth
 * scheme, a Basic pair and its password, SigV4's Signature and key id), secret query values and
 * the conda `/t/` token. Written apart from core's own reading, as an independent check.
 */
function credentialsIn(headers: IncomingHttpHeaders, target: string): string[] {
  const out = new Set<string>();
  for (const [name, rawValue] of Object.entries(headers)) {
    if (!/authorization|token|key|secret|cookie/i.test(name) || rawValue === undefined) continue;
    const value = Array.isArray(rawValue) ? rawValue.join(", ") : rawValue;
    out.add(value);
    const space = value.indexOf(" ");
    if (space > 0) {
      const rest = value.slice(space + 1);
      out.add(rest);
      if (/^basic$/i.test(value.slice(0, space))) {
        const pair = Buffer.from(rest, "base64").toString();
        out.add(pair);
        out.add(pair.slice(pair.indexOf(":") + 1));
      }
    }
    for (const m of value.matchAll(/(Signature|Credential)=([^,\s]+)/g)) {
      out.add(m[2]!);
      out.add(m[2]!.split("/")[0]!);
    }
  }
  const url = new URL(target, "http://x");
  for (const [name, value] of url.searchParams)
    if (/token|sig|key|secret|credential/i.test(name)) out.add(value);
  const conda = /\/t\/([^/]+)/.exec(url.pathname);
  if (conda) out.add(decodeURIComponent(conda[1]!));
  const list = [...out].filter((s) => s.length >= 8);
  for (const s of list) planted.add(s);
  return list;
}

function echoHeaders(secrets: readonly string[]): Record<string, string> {
  const all = secrets.join(" ");
  return {
    "www-authenticate": `Bearer realm="${all}", error="invalid_token", error_description="${all}"`,
    "x-echo": all,
    "x-amz-request-id": secrets.join("|"),
    "x-amz-id-2": all,
    "x-guploader-uploadid": all,
  };
}

function statusOf(path: string): number {
  const m = /e(\d{3})\b/.exec(path);
  return m ? Number(m[1]) : 404;
}

function s3Xml(secrets: readonly string[]): string {
  const one = secrets.join("|");
  const all = secrets.join(" ");
  const fields = {
    Code: one,
    Message: `echo ${all}`,
    RequestId: one,
    HostId: all,
    Resource: all,
    AWSAccessKeyId: one,
    StringToSign: all,
    CanonicalRequest: all,
    Endpoint: one,
    Region: one,
    Bucket: one,
  };
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${v.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</${k}>`)
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${body}</Error>`;
}

function answer(req: { url?: string; headers: IncomingHttpHeaders }, res: ServerResponse): void {
  const target = req.url ?? "/";
  const path = target.split("?")[0]!;
  const heard = credentialsIn(req.headers, target);
  if (path.startsWith("/s3/")) {
    // The secret key never goes on the wire; a server quoting a signing debug dump might know it.
    planted.add(S.s3Secret);
    const secrets = [...heard, S.s3Secret];
    const body = s3Xml(secrets);
    res.writeHead(statusOf(path), {
      ...echoHeaders(secrets),
      "content-type": "application/xml",
      "content-length": Buffer.byteLength(body),
    });
    res.end(req.headers["x-amz-date"] && path.includes("head") ? undefined : body);
    return;
  }
  if (path.startsWith("/gechobucket/")) {
    const all = heard.join(" ");
    sendJson(
      res,
      statusOf(path),
      {
        error: {
          code: statusOf(path),
          message: `echo ${all}`,
          status: heard.join("|"),
          errors: [{ reason: heard.join("|"), message: all, domain: all, location: all, locationType: all }],
          details: [{ "@type": all, metadata: { echo: heard } }],
        },
      },
      echoHeaders(heard),
    );
    return;
  }
  if (path === "/v2/" || path === "/v2") {
    const host = req.headers.host ?? "";
    if (req.headers.authorization === undefined || host.startsWith("localhost")) {
      // 127.0.0.1 speaks Basic; localhost hands out tokens at /oci-token.
      const challenge = host.startsWith("localhost")
        ? `Bearer realm="${srv.origin}/oci-token",service="echo"`
        : `Basic realm="echo ${heard.join(" ")}"`;
      if (!(host.startsWith("localhost") && req.headers.authorization?.startsWith("Bearer "))) {
        sendJson(
          res,
          401,
          { errors: [{ code: "UNAUTHORIZED", message: "auth" }] },
          {
            "www-authenticate": challenge,
          },
        );
        return;
      }
    }
    sendJson(res, 200, {});
    return;
  }
  if (path === "/oci-token") {
    sendJson(res, 200, { token: S.ociToken, expires_in: 300 });
    return;
  }
  const all = heard.join(" ");
  const envelope = {
    errors: [
      {
        code: heard.join("|"),
        message: `echo ${all}`,
        detail: { echo: all, list: heard, nested: [{ deeper: { value: all } }] },
      },
      { code: "MANIFEST_UNKNOWN", message: all, detail: all },
    ],
  };
  sendJson(res, statusOf(path), envelope, echoHeaders(heard));
}

beforeAll(async () => {
  srv = await startTestServer();
  srv.route("/*", (req, res) => answer(req, res as ServerResponse));
  // A server whose answer is not HTTP: a header line with a control character, quoting the request.
  raw = net.createServer((socket) => {
    let head = "";
    socket.on("data", (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      const [requestLine = "", ...lines] = head.slice(0, end).split("\r\n");
      const headers: IncomingHttpHeaders = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const echoed = credentialsIn(headers, requestLine.split(" ")[1] ?? "/").join(" ");
      socket.end(
        `HTTP/1.1 200 OK\r\nX-Echo: ${echoed}\r\nBad\u0001Header: ${echoed}\r\nContent-Length: 0\r\n\r\n`,
      );
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
  rawOrigin = `http://127.0.0.1:${(raw.address() as net.AddressInfo).port}`;
  for (const channel of CHANNELS) {
    const listener = (payload: unknown) => events.push({ channel, payload });
    listeners.set(channel, listener);
    diagnosticsChannel.subscribe(channel, listener);
  }
});

afterAll(async () => {
  for (const [channel, listener] of listeners) diagnosticsChannel.unsubscribe(channel, listener);
  await srv?.close();
  await new Promise<void>((resolve) => (raw ? raw.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  events = [];
  failures = [];
});

async function fail(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    const result = await run();
    if (result && typeof result === "object" && "discard" in result)
      await (result as { discard(): Promise<void> }).discard();
  } catch (error) {
    failures.push({ what, error });
  }
}

/** Each failure and event, scanned as objects and as JSON.stringify and util.inspect output. */
function leaks(): { where: string; path: string; form: string }[] {
  const forms = secretForms({
    ...S,
    ...Object.fromEntries([...planted].map((p, i) => [`planted${i}`, p])),
  });
  const found: { where: string; path: string; form: string }[] = [];
  const scan = (where: string, value: unknown, root: string) => {
    for (const f of findSecrets(value, forms, root)) found.push({ where, ...f });
    let json: string;
    try {
      json = JSON.stringify(value) ?? "";
    } catch {
      json = "";
    }
    for (const f of findSecrets(json, forms, `JSON.stringify(${root})`)) found.push({ where, ...f });
    const shown = inspect(value, {
      depth: 30,
      showHidden: true,
      maxStringLength: null,
      maxArrayLength: null,
    });
    for (const f of findSecrets(shown, forms, `inspect(${root})`)) found.push({ where, ...f });
  };
  for (const { what, error } of failures) scan(what, error, "error");
  for (const { channel, payload } of events) scan(channel, payload, "payload");
  return found;
}

function expectScrubbed(minFailures: number): void {
  expect(failures.length).toBeGreaterThanOrEqual(minFailures);
  expect(planted.size).toBeGreaterThan(0);
  expect(leaks()).toEqual([]);
  // Not vacuous: most errors held something that had to be scrubbed (some quote nothing at all).
  const scrubbed = failures.filter(({ error }) => inspect(error, { depth: 30 }).includes("***"));
  expect(scrubbed.length).toBeGreaterThanOrEqual(Math.ceil(failures.length / 2));
}

function host(origin: string): string {
  return new URL(origin).host;
}

/** The thrower a caller may write: turns an error answer into an error carrying what it said. */
function sayWhatServerSaid(): Middleware {
  return {
    name: "say-what-server-said",
    stage: "send",
    async handle(request, next) {
      const res = await next(request);
      if (res.status < 400) return res;
      const text = await res.text();
      throw Object.assign(new Error(`upstream said ${text}`), {
        body: text,
        headers: { ...res.headers.toRecord() },
      });
    },
  };
}

function authStore() {
  const at = (path: string) => `${host(srv.origin)}/k/${path}`;
  return memoryStore({
    [at("bearer")]: { kind: "bearer", token: S.bearer, allowInsecureHttp: true },
    [at("basic")]: {
      kind: "basic",
      username: "echouser",
      password: S.basicPassword,
      allowInsecureHttp: true,
    },
    [at("header")]: { kind: "header", name: "X-Api-Key", value: S.header, allowInsecureHttp: true },
    [at("conda")]: { kind: "conda-token", token: S.conda, allowInsecureHttp: true },
    [`${host(rawOrigin)}/k/bearer`]: { kind: "bearer", token: S.bearer, allowInsecureHttp: true },
    [`${host(rawOrigin)}/k/header`]: {
      kind: "header",
      name: "X-Api-Key",
      value: S.header,
      allowInsecureHttp: true,
    },
  });
}

function stack(more: Middleware[] = []): Client {
  return createClient({
    timeout: 2000,
    middleware: [
      retry({ maxRetries: 1, minDelay: 1, maxDelay: 2 }),
      auth({ stores: [authStore()] }),
      ...more,
    ],
  });
}

describe("echoing servers: no secret the server hands back leaks", () => {
  it("oci: registry error envelopes (code, message, detail) and headers, Basic and token registries", async () => {
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
    const client = stack([oci({ insecureRegistries: registries, credentials: store })]);
    try {
      for (const registry of registries)
        for (const status of ["e404", "e403", "e500", "e401", "e400"])
          await fail(`oci ${registry} ${status}`, () =>
            client.request(`oci://${registry}/org/${status}:1.0`),
          );
    } finally {
      await client.close();
    }
    const names = new Set(failures.map((f) => (f.error as Error).name));
    for (const n of ["OciNotFoundError", "OciAuthError", "OciRegistryError"]) expect(names, n).toContain(n);
    expect(events.some((e) => e.channel === "switchyard:oci:token")).toBe(true);
    expectScrubbed(10);
  });

  it("s3: XML Code, Message, RequestId and the rest, x-amz-request-id, for GET, HEAD and PUT", async () => {
    const client = stack([
      s3({
        endpoint: `${srv.origin}/s3/`,
        region: "us-east-1",
        credentials: { accessKeyId: S.s3KeyId, secretAccessKey: S.s3Secret, sessionToken: S.s3Session },
      }),
    ]);
    try {
      for (const status of ["e403", "e400", "e404", "e409", "e500"]) {
        await fail(`s3 get ${status}`, () => client.request(`s3://echo-bucket/${status}`));
        await fail(`s3 put ${status}`, () =>
          client.request(`s3://echo-bucket/${status}`, { method: "PUT", body: "data" }),
        );
      }
    } finally {
      await client.close();
    }
    expect(failures.every((f) => (f.error as Error).name === "S3Error")).toBe(true);
    expect(events.some((e) => e.channel === "switchyard:s3:error")).toBe(true);
    expectScrubbed(10);
  });

  it("gcs: the JSON error envelope (message, reason, details) and headers", async () => {
    const client = stack([gcs({ endpoint: srv.origin, auth: staticToken(S.gcsToken) })]);
    try {
      for (const status of ["e400", "e401", "e403", "e404", "e500"]) {
        await fail(`gcs get ${status}`, () => client.request(`gs://gechobucket/${status}`));
        await fail(`gcs put ${status}`, () =>
          client.request(`gs://gechobucket/${status}`, { method: "PUT", body: "x" }),
        );
      }
    } finally {
      await client.close();
    }
    expect(failures.every((f) => (f.error as Error).name === "GcsError")).toBe(true);
    expect(events.some((e) => e.channel === "switchyard:gcs:error")).toBe(true);
    expectScrubbed(10);
  });

  it("core: a malformed response quoting the request (ResponseError, undici's parser error as cause)", async () => {
    const bare = createClient({ timeout: 2000 });
    const withAuth = stack();
    try {
      // No middleware at all: the caller's own headers, URL userinfo and query token.
      await fail("bare caller headers", () =>
        bare.request(`${rawOrigin}/x?access_token=${S.query}`, {
          headers: { authorization: `Bearer ${S.callerBearer}`, "x-api-key": S.callerKey },
        }),
      );
      await fail("bare userinfo", () => bare.request(`http://urluser:${S.urlPassword}@${host(rawOrigin)}/x`));
      // Credentials auth applied, and a per-call one.
      for (const kind of ["bearer", "header"])
        await fail(`auth ${kind}`, () => withAuth.request(`${rawOrigin}/k/${kind}/x`));
      await fail("per-call", () =>
        withAuth.request(`${rawOrigin}/k/none/x`, {
          context: new Context().set(credentialKey, { kind: "bearer", token: S.perCall }),
        }),
      );
    } finally {
      await bare.close();
      await withAuth.close();
    }
    expect(
      failures.every((f) => (f.error as { code?: string }).code === "SWITCHYARD_ERR_RESPONSE"),
      JSON.stringify(failures.map((f) => (f.error as Error).message)),
    ).toBe(true);
    expectScrubbed(5);
  });

  it("a caller's own plugin that throws what the server said, through every credential kind", async () => {
    const client = stack([sayWhatServerSaid()]);
    try {
      for (const kind of ["bearer", "basic", "header", "conda"])
        for (const status of ["e401", "e403", "e500"])
          await fail(`${kind} ${status}`, () => client.request(`${srv.origin}/k/${kind}/${status}`));
      await fail("per-call", () =>
        client.request(`${srv.origin}/k/none/e403?token=${S.query}`, {
          context: new Context().set(credentialKey, { kind: "bearer", token: S.perCall }),
        }),
      );
    } finally {
      await client.close();
    }
    expect(failures.every((f) => (f.error as { code?: string }).code === "SWITCHYARD_ERR_UNKNOWN")).toBe(
      true,
    );
    expectScrubbed(13);
  });
});
