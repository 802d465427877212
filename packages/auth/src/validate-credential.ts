import type { Credential } from "@switchyard/core";
import { CREDENTIAL_KINDS } from "@switchyard/core";

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Headers a credential must not set: framing and routing are not credentials.
const FORBIDDEN_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "proxy-connection",
]);

function str(value: unknown): value is string {
  return typeof value === "string";
}

/** Why `value` is not a usable credential, or undefined when it is. The reason never quotes a secret. */
export function credentialProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "a credential must be an object";
  const c = value as Record<string, unknown>;
  if (!CREDENTIAL_KINDS.includes(c.kind as Credential["kind"])) {
    return `unknown credential kind; expected one of ${CREDENTIAL_KINDS.join(", ")}`;
  }
  if (c.allowInsecureHttp !== undefined && typeof c.allowInsecureHttp !== "boolean") {
    return "allowInsecureHttp must be a boolean";
  }
  switch (c.kind as Credential["kind"]) {
    case "bearer":
      if (!str(c.token) || c.token === "") return "a bearer credential needs a non-empty token";
      if (/[\r\n\0]/.test(c.token)) return "a bearer token must not contain CR, LF or NUL";
      if (c.expiresAt !== undefined && !(typeof c.expiresAt === "number" && Number.isFinite(c.expiresAt))) {
        return "expiresAt must be epoch milliseconds";
      }
      return undefined;
    case "basic":
      if (!str(c.username) || !str(c.password))
        return "a basic credential needs string username and password";
      if (c.username.includes(":")) return "a basic username must not contain `:`";
      if (/[\r\n\0]/.test(c.username + c.password))
        return "basic username and password must not contain CR, LF or NUL";
      return undefined;
    case "conda-token":
      if (!str(c.token) || c.token === "") return "a conda-token credential needs a non-empty token";
      if (/[\r\n\0]/.test(c.token)) return "a conda token must not contain CR, LF or NUL";
      return undefined;
    case "header":
      if (!str(c.name) || !TOKEN_CHARS.test(c.name)) return "a header credential needs a valid header name";
      if (FORBIDDEN_HEADERS.has(c.name.toLowerCase()))
        return "a header credential cannot set a framing header";
      if (!str(c.value) || c.value === "" || /[\r\n\0]/.test(c.value)) {
        return "a header credential needs a non-empty value without CR, LF or NUL";
      }
      return undefined;
    case "s3":
      if (
        !str(c.accessKeyId) ||
        c.accessKeyId === "" ||
        !str(c.secretAccessKey) ||
        c.secretAccessKey === ""
      ) {
        return "an s3 credential needs non-empty accessKeyId and secretAccessKey";
      }
      if (c.sessionToken !== undefined && !str(c.sessionToken)) return "sessionToken must be a string";
      if (c.region !== undefined && !str(c.region)) return "region must be a string";
      return undefined;
  }
}

/** The secrets a credential carries, for scrubbing text (`redactSecrets`). */
export function credentialSecrets(credential: Credential): string[] {
  switch (credential.kind) {
    case "bearer":
    case "conda-token":
      return [credential.token];
    case "basic":
      return [
        credential.password,
        Buffer.from(`${credential.username}:${credential.password}`).toString("base64"),
      ];
    case "header":
      return [credential.value];
    case "s3":
      return [credential.secretAccessKey, ...(credential.sessionToken ? [credential.sessionToken] : [])];
  }
}

/** Whether two credentials carry the same secret material (so a refresh changed nothing). */
export function sameCredential(a: Credential, b: Credential): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "bearer":
      return a.token === (b as typeof a).token;
    case "conda-token":
      return a.token === (b as typeof a).token;
    case "basic":
      return a.username === (b as typeof a).username && a.password === (b as typeof a).password;
    case "header":
      return a.name.toLowerCase() === (b as typeof a).name.toLowerCase() && a.value === (b as typeof a).value;
    case "s3":
      return (
        a.accessKeyId === (b as typeof a).accessKeyId &&
        a.secretAccessKey === (b as typeof a).secretAccessKey &&
        a.sessionToken === (b as typeof a).sessionToken
      );
  }
}
