import { Storage } from "@google-cloud/storage";
import {
  type GcsStandIn,
  installLoopbackGuard,
  makeServiceAccountKey,
  type OAuthStandIn,
  parseRange,
  startGcsStandIn,
  startOAuthStandIn,
  verifyAssertion,
} from "@switchyard/test-peers/gcs";
import { OAuth2Client } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The stand-ins are checked against Google's own client: what it sends must be understood, and
// what the stand-in answers must be what that client expects.
let oauth: OAuthStandIn;
let gcsServer: GcsStandIn;
let guard: ReturnType<typeof installLoopbackGuard>;
const READ_WRITE = "https://www.googleapis.com/auth/devstorage.read_write";

function storageWith(token: string): Storage {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  return new Storage({
    apiEndpoint: gcsServer.url,
    projectId: "switchyard-test",
    authClient,
    useAuthWithCustomEndpoint: true,
    retryOptions: { autoRetry: false },
  });
}

beforeAll(async () => {
  guard = installLoopbackGuard();
  oauth = await startOAuthStandIn({ accounts: [] });
  gcsServer = await startGcsStandIn({ buckets: ["official"], checkToken: (t) => oauth.check(t) });
});
afterAll(async () => {
  await gcsServer?.stop();
  await oauth?.stop();
  guard?.uninstall();
  expect(guard.attempts).toEqual([]);
});

async function token(scopes = [READ_WRITE]): Promise<string> {
  const res = await fetch(
    `http://${oauth.metadataHost}/computeMetadata/v1/instance/service-accounts/default/token?scopes=${scopes.join(",")}`,
    {
      headers: { "metadata-flavor": "Google" },
    },
  );
  return ((await res.json()) as { access_token: string }).access_token;
}

describe("GCS stand-in, checked with @google-cloud/storage", () => {
  it("uploads (multipart and media), reads metadata, downloads whole and by range, lists and deletes", async () => {
    const bucket = storageWith(await token()).bucket("official");
    const file = bucket.file("dir/hello world+1.txt");
    await file.save("hello from the official client", {
      resumable: false,
      contentType: "text/plain",
      validation: "md5",
    });
    const [meta] = await file.getMetadata();
    expect(meta).toMatchObject({ name: "dir/hello world+1.txt", size: "30", contentType: "text/plain" });
    const [whole] = await file.download({ validation: "md5" });
    expect(whole.toString()).toBe("hello from the official client");
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      file
        .createReadStream({ start: 6, end: 9, validation: false })
        .on("data", (c: Buffer) => chunks.push(c))
        .on("end", resolve)
        .on("error", reject);
    });
    expect(Buffer.concat(chunks).toString()).toBe("from");
    const [files] = await bucket.getFiles({ prefix: "dir/" });
    expect(files.map((f) => f.name)).toEqual(["dir/hello world+1.txt"]);
    await file.delete();
    expect(gcsServer.objects.size).toBe(0);
    const kinds = gcsServer.requests.map((r) => `${r.method} ${r.api} ${r.status}`);
    expect(kinds).toContain("POST upload 200");
    expect(kinds).toContain("GET json 206");
    expect(kinds).toContain("DELETE json 204");
  });

  it("answers a bad token with 401 and Google's envelope, which the official client reports", async () => {
    const file = storageWith("ya29.not-issued").bucket("official").file("x");
    const error = (await file.download().catch((e: unknown) => e)) as { code?: number; message?: string };
    expect(error.code).toBe(401);
    expect(error.message).toContain("Invalid Credentials");
  });

  it("refuses writes with a read-only token (403) and reports missing objects (404)", async () => {
    const bucket = storageWith(await token(["https://www.googleapis.com/auth/devstorage.read_only"])).bucket(
      "official",
    );
    const write = (await bucket
      .file("ro")
      .save("x", { resumable: false })
      .catch((e: unknown) => e)) as { code?: number };
    expect(write.code).toBe(403);
    const missing = (await bucket
      .file("nope")
      .download()
      .catch((e: unknown) => e)) as { code?: number; message?: string };
    expect(missing.code).toBe(404);
    expect(missing.message).toContain("No such object");
  });
});

describe("stand-in helpers", () => {
  it.each([
    [undefined, 10, undefined],
    ["bytes=0-3", 10, { start: 0, end: 3 }],
    ["bytes=5-", 10, { start: 5, end: 9 }],
    ["bytes=-4", 10, { start: 6, end: 9 }],
    ["bytes=8-100", 10, { start: 8, end: 9 }],
    ["bytes=10-", 10, "unsatisfiable"],
    ["bytes=-0", 10, "unsatisfiable"],
    ["items=0-1", 10, undefined],
  ])("parseRange(%j, %i)", (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it("verifies JWT assertions like Google's token endpoint", async () => {
    const { key, account } = makeServiceAccountKey("http://127.0.0.1:1/token");
    const { signAssertion } = await import("../src/auth/service-account.ts");
    const { createPrivateKey } = await import("node:crypto");
    const pk = createPrivateKey(key.private_key);
    const now = 1_700_000_000;
    const make = (over: Partial<{ aud: string; scopes: string[]; nowSeconds: number }> = {}) =>
      signAssertion(key, pk, {
        aud: "http://127.0.0.1:1/token",
        scopes: [READ_WRITE],
        nowSeconds: now,
        ...over,
      });
    expect(verifyAssertion(make(), [account], "http://127.0.0.1:1/token", now)).toMatchObject({
      ok: true,
      kid: key.private_key_id,
    });
    expect(
      verifyAssertion(make({ aud: "http://x/token" }), [account], "http://127.0.0.1:1/token", now),
    ).toMatchObject({ why: "wrong aud" });
    expect(
      verifyAssertion(
        make({ scopes: ["https://example.com/other"] }),
        [account],
        "http://127.0.0.1:1/token",
        now,
      ),
    ).toMatchObject({
      why: "bad scope",
    });
    expect(
      verifyAssertion(make({ nowSeconds: now - 4000 }), [account], "http://127.0.0.1:1/token", now),
    ).toMatchObject({
      why: "expired assertion",
    });
    const [h, p] = make().split(".");
    expect(
      verifyAssertion(
        `${h}.${p}.${Buffer.from("forged").toString("base64url")}`,
        [account],
        "http://127.0.0.1:1/token",
        now,
      ),
    ).toMatchObject({
      why: "bad signature",
    });
    const sameEmail = makeServiceAccountKey("http://127.0.0.1:1/token");
    expect(verifyAssertion(make(), [sameEmail.account], "http://127.0.0.1:1/token", now)).toMatchObject({
      why: "bad signature",
    });
    const other = makeServiceAccountKey(
      "http://127.0.0.1:1/token",
      "other@switchyard-test.iam.gserviceaccount.com",
    );
    expect(verifyAssertion(make(), [other.account], "http://127.0.0.1:1/token", now)).toMatchObject({
      why: "unknown iss",
    });
  });
});
