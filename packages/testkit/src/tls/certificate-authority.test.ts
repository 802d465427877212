import { X509Certificate } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { type ConnectionOptions, connect, createServer, type TLSSocket, type TlsOptions } from "node:tls";
import { describe, expect, it } from "vitest";
import { createCertificateAuthority } from "./certificate-authority.ts";
import { getTestCertificates } from "./test-certificates.ts";

/** Opens a TLS server with `server` and handshakes with `client` options; returns the outcome. */
async function handshake(
  serverOptions: TlsOptions,
  clientOptions: ConnectionOptions,
): Promise<{ authorized: boolean; peerCn?: string; error?: string }> {
  const server = createServer(serverOptions, (socket: TLSSocket) => {
    socket.end("ok");
  });
  server.on("tlsClientError", () => {});
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  try {
    const socket = connect({ host: "127.0.0.1", port, ...clientOptions });
    // Read until the server closes: with TLS 1.3 a refused client certificate shows only after the
    // client's handshake completed, as an alert instead of the server's "ok".
    return await new Promise((resolve) => {
      let data = "";
      let error: string | undefined;
      let peerCn: string | undefined;
      socket.on("secureConnect", () => {
        const cn = socket.getPeerCertificate().subject?.CN;
        peerCn = Array.isArray(cn) ? cn.join(",") : cn;
      });
      socket.on("data", (chunk: Buffer) => {
        data += chunk.toString();
      });
      socket.on("error", (cause: NodeJS.ErrnoException) => {
        error = cause.code ?? cause.message;
      });
      socket.on("close", () => {
        resolve({ authorized: socket.authorized && data === "ok", peerCn, error });
      });
    });
  } finally {
    server.close();
  }
}

describe("createCertificateAuthority", () => {
  it("issues a server certificate with IP and DNS subject alternative names, signed by the CA", () => {
    const { ca, server } = getTestCertificates();
    const caCert = new X509Certificate(ca);
    const leaf = new X509Certificate(server.cert);
    expect(caCert.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(leaf.checkIP("::1")).toBeDefined();
    expect(leaf.checkHost("localhost")).toBe("localhost");
    expect(leaf.checkHost("example.com")).toBeUndefined();
    expect(leaf.keyUsage).toContain("1.3.6.1.5.5.7.3.1");
  });

  it("issues server certificates for the hosts asked for", () => {
    const ca = createCertificateAuthority({ commonName: "Other CA", days: 1 });
    const leaf = new X509Certificate(
      ca.issueServerCertificate({ hosts: ["registry.test", "10.0.0.1"] }).cert,
    );
    expect(leaf.checkHost("registry.test")).toBe("registry.test");
    expect(leaf.checkIP("10.0.0.1")).toBe("10.0.0.1");
    expect(leaf.checkHost("localhost")).toBeUndefined();
    expect(leaf.subject).toContain("CN=registry.test");
  });

  it("issues client certificates for clientAuth", () => {
    const { authority } = getTestCertificates();
    const leaf = new X509Certificate(authority.issueClientCertificate({ commonName: "alice" }).cert);
    expect(leaf.subject).toContain("CN=alice");
    expect(leaf.keyUsage).toContain("1.3.6.1.5.5.7.3.2");
  });

  it("throws on bad options synchronously", () => {
    expect(() => createCertificateAuthority({ days: 0 })).toThrow(RangeError);
    expect(() => getTestCertificates().authority.issueServerCertificate({ hosts: [] })).toThrow(RangeError);
  });

  it("caches the test certificates per process", () => {
    expect(getTestCertificates()).toBe(getTestCertificates());
  });

  it("passes a real TLS handshake to 127.0.0.1 trusting only the CA", async () => {
    const { ca, server } = getTestCertificates();
    expect(await handshake(server, { ca })).toMatchObject({ authorized: true });
    const refused = await handshake(server, {});
    expect(refused.authorized).toBe(false);
    expect(refused.error).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("supports mTLS: a trusted client certificate passes, none or an untrusted one fails", async () => {
    const { ca, server, client, untrustedClient } = getTestCertificates();
    const mtls = { ...server, ca, requestCert: true, rejectUnauthorized: true };
    expect(await handshake(mtls, { ca, ...client })).toMatchObject({ authorized: true, peerCn: "localhost" });
    expect((await handshake(mtls, { ca })).authorized).toBe(false);
    expect((await handshake(mtls, { ca, ...untrustedClient })).authorized).toBe(false);
  });
});
