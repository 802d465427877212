export type {
  CertificateAuthority,
  CertificateAuthorityOptions,
  CertificateKeyPair,
  ClientCertificateOptions,
  ServerCertificateOptions,
} from "./certificate-authority.ts";
export { createCertificateAuthority } from "./certificate-authority.ts";
export type { TestCertificates } from "./test-certificates.ts";
export { getTestCertificates } from "./test-certificates.ts";
