import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import type { Credential, CredentialStore, Middleware } from "@switchyard/core";
import { Context, createClient, credentialKey } from "@switchyard/core";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { getTestCertificates } from "@switchyard/testkit/tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth } from "../src/auth.ts";
import { envStore } from "../src/stores/env-store.ts";
import { fileStore } from "../src/stores/file-store.ts";
import type { KeyringModule } from "../src/stores/keyring-store.ts";
import { keyringStore } from "../src/stores/keyring-store.ts";
import { memoryStore } from "../src/stores/memory-store.ts";
import { netrcStore } from "../src/stores/netrc-store.ts";
import { oauthStore } from "../src/stores/oauth-store.ts";
import { AUTH_CHANNELS, CORE_CHANNELS, captureChannels, requireAuthorization } from "./helpers.ts";

// One unique secret per kind and place; none may show up in any error or event.
const tag = randomBytes(6).toString("hex");
const S = {
  bearer: `PLANTED-bearer-${tag}`,
  basicPassword: `PLANTED-basic-${tag}`,
  conda: `PLANTED-conda-${tag}`,
  header: `PLANTED-header-${tag}`,
  s3Secret: `PLANTED-s3secret-${tag}`,
  s3Session: `PLANTED-s3session-${tag}`,
  netrc: `PLANTED-netrc-${tag}`,
  json: `PLANTED-json-${tag}`,
  keyring: `PLANTED-keyring-${tag}`,
  oauth: `PLANTED-oauth-${tag}`,
  userinfo: `PLANTED-userinfo-${tag}`,
  env: `PLANTED-env-${tag}`,
};
const SECRETS = [
  ...Object.values(S),
  Buffer.from(`user:${S.basicPassword}`).toString("base64"),
  Buffer.from(`alice:${S.netrc}`).toString("base64"),
];

const { ca } = getTestCertificates();
let secure: TestServer;
let plain: TestServer;
let dir: string;
const errors: unknown[] = [];

function scan(what: string, value: unknown): void {
  const text = inspect(value, { depth: 10, showHidden: false });
  for (const secret of SECRETS) {
    if (text.includes(secret))
      throw new Error(`a planted secret leaked into ${what}: ${text.slice(0, 2000)}`);
  }
}

async function expectFailure(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  errors.push(error);
}

function expectThrow(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    errors.push(error);
    return;
  }
  throw new Error("expected a throw");
}

beforeAll(async () => {
  secure = await startTestServer({ tls: true });
  plain = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), "sy-auth-secrets-"));
});
afterAll(async () => {
  await secure.close();
  await plain.close();
  await rm(dir, { recursive: true, force: true });
});

describe("no planted secret in any error, stack or event", () => {
  it("across every store, kind, error path and event", async () => {
    const host = new URL(secure.origin).host;
    const plainHost = new URL(plain.origin).host;
    // The scan itself finds a secret when there is one.
    expect(() => scan("self-check", new Error(`x ${S.netrc}`))).toThrow(/leaked/);
    expect(() =>
      scan("self-check", { nested: { deeper: [Buffer.from(`user:${S.basicPassword}`).toString("base64")] } }),
    ).toThrow(/leaked/);
    const cap = captureChannels([...AUTH_CHANNELS, ...CORE_CHANNELS]);
    const kinds: Record<string, Credential> = {
      bearer: { kind: "bearer", token: S.bearer },
      basic: { kind: "basic", username: "user", password: S.basicPassword },
      conda: { kind: "conda-token", token: S.conda },
      header: { kind: "header", name: "X-API-Key", value: S.header },
      s3: { kind: "s3", accessKeyId: "AKIA", secretAccessKey: S.s3Secret, sessionToken: S.s3Session },
    };
    const clients: { close(): Promise<void> }[] = [];
    const client = (middleware: Middleware[]) => {
      const c = createClient({ middleware, tls: { ca } });
      clients.push(c);
      return c;
    };
    try {
      secure.route(
        "/challenge/*",
        requireAuthorization(() => "Bearer never-matches"),
      );
      secure.route("/*", { status: 204 });
      plain.route("/*", { status: 204 });

      // Successful and skipped applications of every kind: applied / skipped events.
      for (const [name, credential] of Object.entries(kinds)) {
        const ok = client([auth({ stores: [memoryStore({ [host]: credential, [plainHost]: credential })] })]);
        await (await ok.request(`${secure.origin}/${name}`)).discard();
        await (await ok.request(`${plain.origin}/${name}`)).discard();
        await (
          await ok.request(`${secure.origin}/${name}`, { headers: { authorization: "Bearer caller" } })
        ).discard();
        // Plain http refused as an error, for every kind.
        const strict = client([
          auth({ stores: [memoryStore({ [plainHost]: credential })], onInsecureHttp: "error" }),
        ]);
        if (credential.kind !== "s3") await expectFailure(strict.request(`${plain.origin}/${name}`));
        // Expired / invalid per-call credentials.
        const bad = client([auth({ stores: [] })]);
        const invalid: Record<string, unknown> = { ...credential };
        if (credential.kind === "basic") invalid.username = "a:b";
        else if (credential.kind === "header") invalid.value = `${credential.value}\n`;
        else if (credential.kind === "s3") invalid.accessKeyId = "";
        else invalid.token = `${credential.token}\n`;
        await expectFailure(
          bad.request(`${secure.origin}/x`, {
            context: new Context().set(credentialKey, invalid as unknown as Credential),
          }),
        );
      }
      await expectFailure(
        client([
          auth({ stores: [memoryStore({ [host]: { kind: "bearer", token: S.bearer, expiresAt: 1 } })] }),
        ]).request(`${secure.origin}/expired`),
      );

      // 401 challenge events with a refreshable store.
      const oauth = oauthStore({
        [host]: { token: S.oauth, refresh: async () => ({ token: `${S.oauth}-2` }) },
      });
      await (await client([auth({ stores: [oauth] })]).request(`${secure.origin}/challenge/a`)).discard();

      // Refresh failures: callback throws, returns an unusable or expired token.
      const failing = oauthStore({
        [host]: {
          refresh: async () => {
            throw new Error("token endpoint answered 500");
          },
        },
      });
      await expectFailure(client([auth({ stores: [failing] })]).request(`${secure.origin}/x`));
      const unusable = oauthStore({ [host]: { refresh: async () => ({ token: `${S.oauth}\r\n` }) } });
      await expectFailure(unusable.get(`${secure.origin}/x`));
      const expired = oauthStore({ [host]: { refresh: async () => ({ token: S.oauth, expiresAt: 5 }) } });
      await expectFailure(expired.get(`${secure.origin}/x`));

      // Malformed files, strict and lenient.
      const unknownKind = join(dir, "unknown.json");
      await writeFile(unknownKind, JSON.stringify({ [host]: { Mystery: S.json } }, null, 2));
      const badSyntax = join(dir, "syntax.json");
      await writeFile(badSyntax, `{\n  "${host}": {"BearerToken": "${S.json}" oops}\n}`);
      const badValue = join(dir, "value.json");
      await writeFile(
        badValue,
        JSON.stringify({ [host]: { S3Credentials: { access_key_id: "", secret_access_key: S.json } } }),
      );
      const badNetrc = join(dir, "netrc");
      await writeFile(badNetrc, `machine ${host}\n  login alice\n  passwrd ${S.netrc}\n  "${S.netrc}\n`);
      for (const path of [unknownKind, badSyntax, badValue]) {
        await expectFailure(client([auth({ stores: [fileStore(path)] })]).request(`${secure.origin}/x`));
        await (
          await client([auth({ stores: [fileStore(path, { lenient: true })] })]).request(`${secure.origin}/x`)
        ).discard();
        await expectFailure(
          fileStore(path)
            .set("a.example.com", { kind: "bearer", token: S.bearer })
            .then(() => fileStore(path).get(`${secure.origin}/`)),
        );
      }
      await expectFailure(client([auth({ stores: [netrcStore(badNetrc)] })]).request(`${secure.origin}/x`));
      await (
        await client([auth({ stores: [netrcStore(badNetrc, { lenient: true })] })]).request(
          `${secure.origin}/x`,
        )
      ).discard();
      await expectFailure(
        fileStore(join(dir, "w.json")).set("a.example.com", { kind: "header", name: "X-K", value: S.header }),
      );
      await expectFailure(
        fileStore(join(dir, "w.json")).set("a.example.com", {
          kind: "bearer",
          token: S.bearer,
          expiresAt: 9,
        }),
      );

      // Keyring: broken entries, a failing OS keyring.
      const keyring: KeyringModule = {
        Entry: class {
          readonly #account: string;
          constructor(_service: string, account: string) {
            this.#account = account;
          }
          getPassword() {
            return this.#account.startsWith("*") ? null : `{"Mystery": "${S.keyring}"}`;
          }
          setPassword() {}
          deletePassword() {}
        },
      };
      await expectFailure(keyringStore({ load: async () => keyring }).get(`${secure.origin}/x`));
      const notJson: KeyringModule = {
        Entry: class {
          getPassword() {
            return `not json ${S.keyring}`;
          }
          setPassword() {}
          deletePassword() {}
        },
      };
      await expectFailure(keyringStore({ load: async () => notJson }).get(`${secure.origin}/x`));

      // Env store with secrets in variables: applied and a missing one.
      const env = envStore({
        entries: {
          [host]: { kind: "bearer", tokenVar: "SY_TOKEN" },
          "missing.example.com": { kind: "bearer", tokenVar: "SY_NONE" },
        },
        env: { SY_TOKEN: S.env },
      });
      await (await client([auth({ stores: [env] })]).request(`${secure.origin}/env`)).discard();
      await env.get("https://missing.example.com/");

      // A store that fails, and one that returns an invalid credential; URLs carry userinfo and conda tokens.
      const broken: CredentialStore = {
        name: "broken",
        get: async () => Promise.reject(new Error("backend down")),
      };
      const odd: CredentialStore = {
        name: "odd",
        get: async () => ({ kind: "header", name: "X-K", value: `${S.header}\n` }),
      };
      await expectFailure(
        client([auth({ stores: [broken] })]).request(`${secure.origin}/t/${S.conda}/x?token=${S.userinfo}`),
      );
      // Userinfo in the URL is the caller's own credential: auth passes it through untouched.
      await (
        await client([auth({ stores: [broken] })]).request(
          `https://user:${S.userinfo}@127.0.0.1:${secure.port}/u`,
        )
      ).discard();
      await expectFailure(client([auth({ stores: [odd] })]).request(`${secure.origin}/t/${S.conda}/x`));

      // Invalid options carrying secrets.
      expectThrow(() => memoryStore({ [host]: { kind: "bearer", token: `${S.bearer}\n` } }));
      expectThrow(() =>
        memoryStore({ [host]: { kind: "basic", username: `x:${S.basicPassword}`, password: "p" } }),
      );
      expectThrow(() => memoryStore({ [`user:${S.userinfo}@${host}`]: { kind: "bearer", token: "t" } }));

      expect(errors.length).toBeGreaterThanOrEqual(29);
      expect(cap.events.length).toBeGreaterThan(30);
      const channels = new Set(cap.events.map((e) => e.channel));
      for (const ch of ["applied", "skipped", "challenge", "file-problem", "token-refresh", "env-missing"]) {
        expect(channels).toContain(`switchyard:auth:${ch}`);
      }
      for (const [i, error] of errors.entries()) {
        scan(`error ${i} (${(error as Error).name})`, error);
        scan(`stack ${i}`, (error as Error).stack);
        scan(`message ${i}`, String(error));
      }
      for (const event of cap.events) scan(`event ${event.channel}`, event.message);
    } finally {
      cap.stop();
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
