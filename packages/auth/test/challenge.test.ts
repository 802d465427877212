import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Middleware } from "@switchyard/core";
import { createClient, replayable } from "@switchyard/core";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { getTestCertificates } from "@switchyard/testkit/tls";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auth } from "../src/auth.ts";
import { fileStore } from "../src/stores/file-store.ts";
import { memoryStore } from "../src/stores/memory-store.ts";
import { oauthStore } from "../src/stores/oauth-store.ts";
import { AUTH_CHANNELS, captureChannels, requireAuthorization } from "./helpers.ts";

const { ca } = getTestCertificates();
let server: TestServer;
let host: string;
let accepted = "Bearer fresh-1";

beforeAll(async () => {
  server = await startTestServer({ tls: true, keepBodies: true });
  host = new URL(server.origin).host;
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  accepted = "Bearer fresh-1";
  server.route(
    "/*",
    requireAuthorization(() => accepted),
  );
});

const client = (middleware: Middleware[]) => createClient({ middleware, tls: { ca } });

function rotatingOAuth() {
  let calls = 0;
  const store = oauthStore({
    [host]: {
      token: "stale-0",
      refresh: async () => ({ token: `fresh-${++calls}`, expiresAt: Date.now() + 3_600_000 }),
    },
  });
  return { store, calls: () => calls };
}

describe("auth: 401 with a challenge", () => {
  it("refreshes a refreshable credential and replays the request once", async () => {
    const oauth = rotatingOAuth();
    const cap = captureChannels(AUTH_CHANNELS);
    const c = client([auth({ stores: [oauth.store] })]);
    try {
      const res = await c.request(`${server.origin}/x`);
      expect(res.status).toBe(200);
      await res.discard();
      expect(server.requests.map((r) => r.headers.authorization)).toEqual([
        "Bearer stale-0",
        "Bearer fresh-1",
      ]);
      expect(oauth.calls()).toBe(1);
      expect(
        cap.events.filter((e) => e.channel === "switchyard:auth:challenge").map((e) => e.message),
      ).toEqual([
        { method: "GET", url: `${server.origin}/x`, store: "oauth", kind: "bearer", outcome: "replayed" },
      ]);
    } finally {
      cap.stop();
      await c.close();
    }
  });

  it("replays only once: a second 401 is returned to the caller", async () => {
    accepted = "Bearer never";
    const oauth = rotatingOAuth();
    const c = client([auth({ stores: [oauth.store] })]);
    try {
      const res = await c.request(`${server.origin}/x`);
      expect(res.status).toBe(401);
      await res.discard();
      expect(server.requests).toHaveLength(2);
      expect(oauth.calls()).toBe(1);
    } finally {
      await c.close();
    }
  });

  it("replays a replayable body (bytes, factory) in full", async () => {
    const oauth = rotatingOAuth();
    const c = client([auth({ stores: [oauth.store] })]);
    try {
      const a = await c.request(`${server.origin}/a`, { method: "POST", body: "payload-1" });
      expect(a.status).toBe(200);
      await a.discard();
      accepted = "Bearer fresh-2";
      await oauth.store.invalidate!(`${server.origin}/`, { kind: "bearer", token: "fresh-1" });
      accepted = "Bearer fresh-3";
      const b = await c.request(`${server.origin}/b`, {
        method: "PUT",
        body: replayable(() => Readable.from([Buffer.from("payload-"), Buffer.from("2")])),
      });
      expect(b.status).toBe(200);
      await b.discard();
      await server.waitForRequests(server.requests.length);
      const bodies = server.requests.map((r) => r.body?.toString());
      expect(bodies).toEqual(["payload-1", "payload-1", "payload-2", "payload-2"]);
    } finally {
      await c.close();
    }
  });

  it("does not replay a one-shot stream body that was already sent", async () => {
    const oauth = rotatingOAuth();
    const cap = captureChannels(AUTH_CHANNELS);
    const c = client([auth({ stores: [oauth.store] })]);
    try {
      const res = await c.request(`${server.origin}/upload`, {
        method: "PUT",
        body: Readable.from([Buffer.from("once")]),
      });
      expect(res.status).toBe(401);
      await res.discard();
      expect(server.requests).toHaveLength(1);
      expect(cap.events.find((e) => e.channel === "switchyard:auth:challenge")?.message).toMatchObject({
        outcome: "not-replayable",
      });
    } finally {
      cap.stop();
      await c.close();
    }
  });

  it("returns the 401 when the credential is not refreshable (memory store)", async () => {
    const cap = captureChannels(AUTH_CHANNELS);
    const c = client([auth({ stores: [memoryStore({ [host]: { kind: "bearer", token: "static" } })] })]);
    try {
      const res = await c.request(`${server.origin}/x`);
      expect(res.status).toBe(401);
      await res.discard();
      expect(server.requests).toHaveLength(1);
      expect(cap.events.find((e) => e.channel === "switchyard:auth:challenge")?.message).toMatchObject({
        outcome: "not-refreshable",
      });
    } finally {
      cap.stop();
      await c.close();
    }
  });

  it("does nothing on a 401 without a challenge, or when replay is off", async () => {
    server.route("/plain401", { status: 401 });
    const oauth = rotatingOAuth();
    const c = client([auth({ stores: [oauth.store] })]);
    const off = client([auth({ stores: [rotatingOAuth().store], replayOnChallenge: false })]);
    try {
      await (await c.request(`${server.origin}/plain401`)).discard();
      expect((await off.request(`${server.origin}/x`)).status).toBe(401);
      expect(server.requests).toHaveLength(2);
      expect(oauth.calls()).toBe(0);
    } finally {
      await c.close();
      await off.close();
    }
  });

  it("re-reads a credentials file on a 401 and replays when another process updated it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sy-auth-challenge-"));
    const path = join(dir, "credentials.json");
    await writeFile(path, JSON.stringify({ [host]: { BearerToken: "stale-0" } }));
    // A long recheck interval: only the 401 makes the store look at the file again.
    const store = fileStore(path, { recheckInterval: 60_000 });
    const c = client([auth({ stores: [store] })]);
    try {
      const first = await c.request(`${server.origin}/x`);
      expect(first.status).toBe(401);
      await first.discard();
      await writeFile(path, JSON.stringify({ [host]: { BearerToken: "fresh-1" } }));
      const second = await c.request(`${server.origin}/y`);
      expect(second.status).toBe(200);
      await second.discard();
      expect(server.requests.map((r) => r.headers.authorization)).toEqual([
        "Bearer stale-0",
        "Bearer stale-0",
        "Bearer fresh-1",
      ]);
    } finally {
      await c.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("many concurrent 401s share one refresh", async () => {
    const oauth = rotatingOAuth();
    const c = client([auth({ stores: [oauth.store] })]);
    try {
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => c.request(`${server.origin}/p${i}`)),
      );
      for (const r of responses) {
        expect(r.status).toBe(200);
        await r.discard();
      }
      expect(oauth.calls()).toBe(1);
    } finally {
      await c.close();
    }
  });

  it("refreshes a token 5 minutes before it expires, once for concurrent requests, before sending", async () => {
    let calls = 0;
    const store = oauthStore({
      [host]: {
        token: "about-to-expire",
        expiresAt: Date.now() + 4 * 60_000,
        refresh: async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 20));
          return { token: "fresh-1", expiresAt: Date.now() + 3_600_000 };
        },
      },
    });
    const c = client([auth({ stores: [store] })]);
    try {
      const responses = await Promise.all(Array.from({ length: 10 }, () => c.request(`${server.origin}/x`)));
      for (const r of responses) await r.discard();
      expect(calls).toBe(1);
      expect(new Set(server.requests.map((r) => r.headers.authorization))).toEqual(
        new Set(["Bearer fresh-1"]),
      );
    } finally {
      await c.close();
    }
  });
});
