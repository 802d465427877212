import type { Credential } from "@switchyard/core";

/**
 * rattler's serialisation of one credential (the values of `credentials.json`, and what rattler
 * keeps in the OS keyring): a serde externally-tagged enum.
 *
 * ```json
 * { "BearerToken": "..." }
 * { "BasicHTTP": { "username": "...", "password": "..." } }
 * { "CondaToken": "..." }
 * { "S3Credentials": { "access_key_id": "...", "secret_access_key": "...", "session_token": null } }
 * { "OAuth": { "access_token": "...", "refresh_token": null, "expires_at": 1700000000, ... } }
 * ```
 */

/** The kinds rattler writes. */
export const RATTLER_KINDS: readonly string[] = Object.freeze([
  "BearerToken",
  "BasicHTTP",
  "CondaToken",
  "S3Credentials",
  "OAuth",
]);

/** A decoded value, or why it cannot be (the reason never quotes the value). */
export type DecodeResult =
  | { readonly ok: true; readonly credential: Credential }
  | { readonly ok: false; readonly problem: "kind" | "value"; readonly reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function suggestion(kind: string): string {
  const lower = kind.toLowerCase();
  const close = RATTLER_KINDS.find((k) => k.toLowerCase() === lower);
  return close === undefined ? "" : ` (did you mean ${close}? names are case-sensitive)`;
}

/** Decodes one rattler-format value. Never throws. */
export function decodeRattlerValue(value: unknown): DecodeResult {
  if (!isObject(value)) {
    return { ok: false, problem: "value", reason: 'expected an object such as {"BearerToken": "..."}' };
  }
  const names = Object.keys(value);
  if (names.length !== 1) {
    return {
      ok: false,
      problem: names.length === 0 ? "value" : "kind",
      reason: `expected exactly one credential kind (${RATTLER_KINDS.join(", ")}), found ${names.length}`,
    };
  }
  const kind = names[0]!;
  const body = value[kind];
  switch (kind) {
    case "BearerToken":
      return nonEmptyString(body)
        ? { ok: true, credential: { kind: "bearer", token: body } }
        : { ok: false, problem: "value", reason: "BearerToken must be a non-empty string" };
    case "CondaToken":
      return nonEmptyString(body)
        ? { ok: true, credential: { kind: "conda-token", token: body } }
        : { ok: false, problem: "value", reason: "CondaToken must be a non-empty string" };
    case "BasicHTTP":
      if (!isObject(body) || typeof body.username !== "string" || typeof body.password !== "string") {
        return {
          ok: false,
          problem: "value",
          reason: "BasicHTTP must be an object with string fields username and password",
        };
      }
      return { ok: true, credential: { kind: "basic", username: body.username, password: body.password } };
    case "S3Credentials": {
      if (!isObject(body) || !nonEmptyString(body.access_key_id) || !nonEmptyString(body.secret_access_key)) {
        return {
          ok: false,
          problem: "value",
          reason: "S3Credentials must be an object with non-empty access_key_id and secret_access_key",
        };
      }
      const session = body.session_token;
      if (session !== undefined && session !== null && typeof session !== "string") {
        return {
          ok: false,
          problem: "value",
          reason: "S3Credentials.session_token must be a string or null",
        };
      }
      const region = body.region;
      if (region !== undefined && region !== null && typeof region !== "string") {
        return { ok: false, problem: "value", reason: "S3Credentials.region must be a string or null" };
      }
      return {
        ok: true,
        credential: {
          kind: "s3",
          accessKeyId: body.access_key_id,
          secretAccessKey: body.secret_access_key,
          ...(typeof session === "string" && session !== "" ? { sessionToken: session } : {}),
          ...(typeof region === "string" && region !== "" ? { region } : {}),
        },
      };
    }
    case "OAuth": {
      if (!isObject(body) || !nonEmptyString(body.access_token)) {
        return {
          ok: false,
          problem: "value",
          reason: "OAuth must be an object with a non-empty access_token",
        };
      }
      const expires = body.expires_at;
      if (
        expires !== undefined &&
        expires !== null &&
        !(typeof expires === "number" && Number.isFinite(expires))
      ) {
        return {
          ok: false,
          problem: "value",
          reason: "OAuth.expires_at must be seconds since the epoch or null",
        };
      }
      return {
        ok: true,
        credential: {
          kind: "bearer",
          token: body.access_token,
          ...(typeof expires === "number" ? { expiresAt: expires * 1000 } : {}),
        },
      };
    }
    default:
      return {
        ok: false,
        problem: "kind",
        reason: `unknown credential kind${suggestion(kind)}; expected one of ${RATTLER_KINDS.join(", ")}`,
      };
  }
}

/** Why a credential cannot be written in rattler's format, or undefined when it can. */
export function unencodableReason(credential: Credential): string | undefined {
  if (credential.allowInsecureHttp === true) {
    return "rattler's credentials format cannot record allowInsecureHttp; use auth()'s allowInsecureHttp option";
  }
  if (credential.kind === "header") {
    return "rattler's credentials format has no custom-header kind; use memoryStore or envStore for it";
  }
  if (credential.kind === "bearer" && credential.expiresAt !== undefined) {
    return "rattler's BearerToken cannot record an expiry; store the token without expiresAt";
  }
  return undefined;
}

/** Encodes a credential in rattler's format; throws a TypeError (no secret) when it cannot. */
export function encodeRattlerValue(credential: Credential): Record<string, unknown> {
  const reason = unencodableReason(credential);
  if (reason !== undefined) throw new TypeError(reason);
  switch (credential.kind) {
    case "bearer":
      return { BearerToken: credential.token };
    case "conda-token":
      return { CondaToken: credential.token };
    case "basic":
      return { BasicHTTP: { username: credential.username, password: credential.password } };
    case "s3":
      return {
        S3Credentials: {
          access_key_id: credential.accessKeyId,
          secret_access_key: credential.secretAccessKey,
          session_token: credential.sessionToken ?? null,
          ...(credential.region === undefined ? {} : { region: credential.region }),
        },
      };
    default:
      throw new TypeError(
        `unknown credential kind ${JSON.stringify((credential as { kind: unknown }).kind)}`,
      );
  }
}
