import {
  type CertificateAuthority,
  type CertificateKeyPair,
  createCertificateAuthority,
} from "./certificate-authority.ts";

/** The certificates most tests need, made once per process by {@link getTestCertificates}. */
export interface TestCertificates {
  /** The CA certificate (PEM) to trust, e.g. undici `connect: { ca }`. */
  readonly ca: string;
  /** The CA itself, to issue more certificates. */
  readonly authority: CertificateAuthority;
  /** A server certificate for `localhost`, `127.0.0.1` and `::1`, signed by the CA. */
  readonly server: CertificateKeyPair;
  /** A client certificate (CN `switchyard-test-client`) signed by the CA, for mTLS. */
  readonly client: CertificateKeyPair;
  /**
   * A client certificate signed by another, untrusted CA: servers requiring mTLS must refuse it.
   * Made on first access.
   */
  readonly untrustedClient: CertificateKeyPair;
}

// On globalThis, so that test runners which evaluate this module again in the same process (one
// module graph per test file) still generate the keys once per process.
const CACHE = Symbol.for("@switchyard/testkit/tls/test-certificates");
type CacheHolder = { [CACHE]?: TestCertificates };

/**
 * Returns the process-wide test certificates, generating them on first call (about 0.1-0.5 s; every
 * later call is free). Everything is made locally: no network, no files.
 */
export function getTestCertificates(): TestCertificates {
  const holder = globalThis as CacheHolder;
  const cached = holder[CACHE];
  if (cached) return cached;
  const authority = createCertificateAuthority();
  let untrustedClient: CertificateKeyPair | undefined;
  const made: TestCertificates = {
    ca: authority.cert,
    authority,
    server: authority.issueServerCertificate(),
    client: authority.issueClientCertificate(),
    get untrustedClient() {
      untrustedClient ??= createCertificateAuthority({
        commonName: "Untrusted Test CA",
      }).issueClientCertificate({
        commonName: "stranger",
      });
      return untrustedClient;
    },
  };
  holder[CACHE] = made;
  return made;
}
