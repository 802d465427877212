// Secret headers never follow a redirect to another origin: every name isSecretHeader() knows, the
// caller's own (secretHeaders option or secretHeadersKey per call), and Host. Two real servers on
// different ports are two origins.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Context, createClient, InvalidOptionsError, secretHeadersKey } from "../src/index.ts";

interface Origin {
  readonly url: string;
  readonly seen: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

async function start(handler: http.RequestListener): Promise<Origin> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let target: Origin;
let redirector: Origin;

beforeAll(async () => {
  target = await start((_req, res) => res.end("landed"));
  redirector = await start((req, res) => {
    const to = req.url === "/same" ? "/landing" : `${target.url}/landing`;
    if (req.url === "/landing") return void res.end("landed");
    res.writeHead(302, { location: to }).end();
  });
});

afterAll(async () => {
  await target.close();
  await redirector.close();
});

const SECRETS = {
  authorization: "Bearer planted-authorization",
  cookie: "session=planted-cookie",
  "x-api-key": "planted-api-key",
  "x-amz-security-token": "planted-amz-token",
  "x-auth-token": "planted-auth-token",
  "x-goog-iam-authorization-token": "planted-goog-token",
  "x-vendor-secret": "planted-vendor-secret",
  "x-my-token-of-mine": "planted-named-like-a-token",
};

describe("redirects to another origin", () => {
  it("drop every header isSecretHeader() names and keep the rest", async () => {
    const client = createClient();
    const res = await client.request(`${redirector.url}/away`, {
      headers: { ...SECRETS, "x-trace": "kept", accept: "text/plain" },
    });
    expect(await res.text()).toBe("landed");
    const landed = target.seen.at(-1)!;
    for (const name of Object.keys(SECRETS)) expect(landed[name], name).toBeUndefined();
    expect(landed["x-trace"]).toBe("kept");
    expect(landed.accept).toBe("text/plain");
    await client.close();
  });

  it("drop the caller's own secret headers (secretHeaders option)", async () => {
    const client = createClient({ secretHeaders: ["X-Session-Handle"] });
    const res = await client.request(`${redirector.url}/away`, {
      headers: { "x-session-handle": "planted-handle", "x-trace": "kept" },
    });
    await res.text();
    expect(target.seen.at(-1)!["x-session-handle"]).toBeUndefined();
    expect(target.seen.at(-1)!["x-trace"]).toBe("kept");
    await client.close();
  });

  it("drop the names a call puts in its context under secretHeadersKey", async () => {
    const client = createClient();
    const context = new Context().set(secretHeadersKey, ["x-per-call"]);
    const res = await client.request(`${redirector.url}/away`, {
      headers: { "x-per-call": "planted-per-call" },
      context,
    });
    await res.text();
    expect(target.seen.at(-1)!["x-per-call"]).toBeUndefined();
    await client.close();
  });

  it("keep every header on a redirect within the origin", async () => {
    const client = createClient({ secretHeaders: ["x-session-handle"] });
    const res = await client.request(`${redirector.url}/same`, {
      headers: { ...SECRETS, "x-session-handle": "kept-handle" },
    });
    expect(await res.text()).toBe("landed");
    const landed = redirector.seen.at(-1)!;
    for (const [name, value] of Object.entries(SECRETS)) expect(landed[name], name).toBe(value);
    expect(landed["x-session-handle"]).toBe("kept-handle");
    await client.close();
  });

  it("refuse a bad secretHeaders option at once", () => {
    expect(() => createClient({ secretHeaders: ["bad name"] })).toThrow(InvalidOptionsError);
    expect(() => createClient({ secretHeaders: "x-a" as never })).toThrow(InvalidOptionsError);
  });
});
