import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import forge from "node-forge";

/** The token issuer's RSA key and the self-signed certificate the registry trusts (`rootcertbundle`). */
export interface TokenSigningKey {
  /** Private key used to sign RS256 JWTs. */
  readonly privateKey: KeyObject;
  /** The certificate in PEM, to write into the registry's `rootcertbundle`. */
  readonly certificatePem: string;
  /** The certificate in DER, base64 (standard alphabet): the JWT header's `x5c[0]`. */
  readonly certificateDerBase64: string;
}

/**
 * Generates an RSA-2048 key (node:crypto) and a self-signed CA certificate for it (node-forge),
 * valid from one hour ago for one year.
 */
export function createTokenSigningKey(commonName = "switchyard testkit token issuer"): TokenSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  // Positive serial: a leading 0x01 byte keeps the DER INTEGER positive.
  cert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 3600_000);
  cert.validity.notAfter = new Date(now + 365 * 24 * 3600_000);
  const attrs = [{ name: "commonName", value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  const privatePem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  cert.sign(forge.pki.privateKeyFromPem(privatePem), forge.md.sha256.create());
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  return {
    privateKey: createPrivateKey(privatePem),
    certificatePem: forge.pki.certificateToPem(cert),
    certificateDerBase64: Buffer.from(der, "binary").toString("base64"),
  };
}

let shared: TokenSigningKey | undefined;

/** A signing key generated once per process and reused (RSA key generation costs ~100 ms). */
export function sharedTokenSigningKey(): TokenSigningKey {
  shared ??= createTokenSigningKey();
  return shared;
}
