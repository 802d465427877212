/** The auth section of a registry config. */
export type RegistryConfigAuth =
  | { kind: "none" }
  | { kind: "htpasswd"; realm: string; path: string }
  | { kind: "token"; realm: string; service: string; issuer: string; rootCertBundle: string };

/** Everything {@link renderRegistryConfig} needs. */
export interface RegistryConfigInput {
  port: number;
  /** Filesystem storage root (inside the peer's temp dir). */
  storageDir: string;
  /** `http.secret`, shared by nothing else. */
  secret: string;
  auth: RegistryConfigAuth;
  logLevel: "error" | "warn" | "info" | "debug";
}

// JSON strings are valid YAML double-quoted scalars, so every value goes through JSON.stringify.
const y = (value: string): string => JSON.stringify(value);

/** Renders a CNCF distribution 2.x config.yml bound to 127.0.0.1 with filesystem storage and deletes on. */
export function renderRegistryConfig(input: RegistryConfigInput): string {
  const lines = [
    "version: 0.1",
    "log:",
    `  level: ${input.logLevel}`,
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${y(input.storageDir)}`,
    "  delete:",
    "    enabled: true",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: ${y(`127.0.0.1:${input.port}`)}`,
    `  secret: ${y(input.secret)}`,
    "  headers:",
    "    X-Content-Type-Options: [nosniff]",
  ];
  const { auth } = input;
  if (auth.kind === "htpasswd") {
    lines.push("auth:", "  htpasswd:", `    realm: ${y(auth.realm)}`, `    path: ${y(auth.path)}`);
  } else if (auth.kind === "token") {
    lines.push(
      "auth:",
      "  token:",
      `    realm: ${y(auth.realm)}`,
      `    service: ${y(auth.service)}`,
      `    issuer: ${y(auth.issuer)}`,
      `    rootcertbundle: ${y(auth.rootCertBundle)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
