import { type KeyObject, sign } from "node:crypto";

/** Claims of a registry bearer token (distribution's token auth). */
export interface RegistryTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: RegistryAccess[];
}

/** One granted access entry: `{ type: "repository", name: "org/repo", actions: ["pull"] }`. */
export interface RegistryAccess {
  type: string;
  name: string;
  actions: string[];
}

const base64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url");

/** Signs `claims` as a compact JWS with RS256, the `x5c` chain in the header. */
export function signJwtRs256(claims: object, privateKey: KeyObject, x5c: readonly string[]): string {
  const header = { typ: "JWT", alg: "RS256", x5c };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(input), privateKey);
  return `${input}.${base64url(signature)}`;
}

/** Decodes (without verifying) the header and claims of a compact JWT; for assertions in tests. */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
} {
  const [header, claims] = token.split(".");
  if (header === undefined || claims === undefined) throw new TypeError("not a compact JWT");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims, "base64url").toString("utf8")) as Record<string, unknown>,
  };
}
