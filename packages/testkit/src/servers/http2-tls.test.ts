import { once } from "node:events";
import { connect as h2connect } from "node:http2";
import { Agent, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { getTestCertificates } from "../tls/test-certificates.ts";
import { generatedBodySha256 } from "./generated-body.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((closable) => closable.close()));
});

async function server(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const srv = await startTestServer(options);
  open.push(srv);
  return srv;
}

function agent(options: ConstructorParameters<typeof Agent>[0]): Agent {
  const made = new Agent(options);
  open.push(made);
  return made;
}

async function sha256Of(body: AsyncIterable<unknown>): Promise<{ bytes: number; sha256: string }> {
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest("hex") };
}

describe("startTestServer over TLS", () => {
  it("serves HTTP/2 to undici (allowH2) trusting the generated CA", async () => {
    const srv = await server({ http2: true, tls: true });
    expect(srv.origin).toBe(`https://127.0.0.1:${srv.port}`);
    const body = { size: 2_000_000, seed: "h2" };
    srv.route("/blob", { body, headers: { "x-proto": "h2" } });
    const client = agent({ allowH2: true, connect: { ca: getTestCertificates().ca } });
    const res = await request(`${srv.origin}/blob`, { dispatcher: client });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-proto"]).toBe("h2");
    expect(await sha256Of(res.body)).toEqual({ bytes: body.size, sha256: generatedBodySha256(body) });
    expect(srv.requests[0]?.httpVersion).toBe("2.0");
    expect(srv.requests[0]?.remotePort).toBeGreaterThan(0);
  });

  it("multiplexes concurrent HTTP/2 requests on one connection", async () => {
    const srv = await server({ http2: true, tls: true });
    srv.route("/x", { delayMs: 50, body: "x" });
    const client = agent({ allowH2: true, connect: { ca: getTestCertificates().ca } });
    const texts = await Promise.all(
      [1, 2, 3].map(async () => (await request(`${srv.origin}/x`, { dispatcher: client })).body.text()),
    );
    expect(texts).toEqual(["x", "x", "x"]);
    expect(srv.connections).toBe(1);
  });

  it("falls back to HTTP/1.1 for clients without h2", async () => {
    const srv = await server({ http2: true, tls: true });
    srv.route("/x", { body: "one" });
    const client = agent({ allowH2: false, connect: { ca: getTestCertificates().ca } });
    const res = await request(`${srv.origin}/x`, { dispatcher: client });
    expect(await res.body.text()).toBe("one");
    expect(srv.requests[0]?.httpVersion).toBe("1.1");
  });

  it("refuses a client that does not trust the CA", async () => {
    const srv = await server({ tls: true });
    const client = agent({});
    await expect(request(`${srv.origin}/`, { dispatcher: client })).rejects.toMatchObject({
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  });

  it("resets only the stream on HTTP/2 for destroyAfterBytes", async () => {
    const srv = await server({ http2: true, tls: true });
    srv.route("/cut", { body: { size: 1_000_000 }, destroyAfterBytes: 10_000 });
    srv.route("/ok", { body: "fine" });
    const client = agent({ allowH2: true, connect: { ca: getTestCertificates().ca } });
    const res = await request(`${srv.origin}/cut`, { dispatcher: client });
    await expect(sha256Of(res.body)).rejects.toThrow();
    const ok = await request(`${srv.origin}/ok`, { dispatcher: client });
    expect(await ok.body.text()).toBe("fine");
    expect(srv.connections).toBe(1);
  });

  it("serves h2c (cleartext HTTP/2 with prior knowledge)", async () => {
    const srv = await server({ http2: true });
    srv.route("/c", { body: "cleartext" });
    const session = h2connect(srv.origin);
    try {
      const stream = session.request({ ":path": "/c" });
      const [headers] = (await once(stream, "response")) as [Record<string, unknown>];
      let text = "";
      for await (const chunk of stream) text += String(chunk);
      expect(headers[":status"]).toBe(200);
      expect(text).toBe("cleartext");
      expect(srv.requests[0]?.httpVersion).toBe("2.0");
    } finally {
      session.close();
    }
  });
});

describe("startTestServer with mTLS", () => {
  const mtls = () => {
    const { server: cert, ca } = getTestCertificates();
    return { ...cert, ca, requestCert: true };
  };

  it.each([
    ["HTTP/1.1", false],
    ["HTTP/2", true],
  ])("%s: accepts a client with a certificate from the CA", async (_name, http2) => {
    const srv = await server({ http2, tls: mtls() });
    srv.route("/me", (req, res) => {
      const socket = req.socket as import("node:tls").TLSSocket;
      res.end(String(socket.getPeerCertificate().subject?.CN));
    });
    const { ca, client } = getTestCertificates();
    const dispatcher = agent({ allowH2: http2, connect: { ca, ...client } });
    const res = await request(`${srv.origin}/me`, { dispatcher });
    expect(await res.body.text()).toBe("switchyard-test-client");
  });

  it.each([
    ["no certificate", undefined],
    ["a certificate from another CA", "untrusted"],
  ])("rejects a client with %s", async (_name, which) => {
    const srv = await server({ tls: mtls() });
    srv.route("/me", { body: "secret" });
    const { ca, untrustedClient } = getTestCertificates();
    const dispatcher = agent({ allowH2: false, connect: which ? { ca, ...untrustedClient } : { ca } });
    const error = (await request(`${srv.origin}/me`, { dispatcher }).then(
      () => undefined,
      (cause: NodeJS.ErrnoException) => cause,
    )) as NodeJS.ErrnoException | undefined;
    // TLS 1.3: the server's refusal arrives after the client finished its handshake, as a close.
    expect(["UND_ERR_SOCKET", "ECONNRESET"]).toContain(error?.code);
    expect(srv.requests).toHaveLength(0);
  });
});
