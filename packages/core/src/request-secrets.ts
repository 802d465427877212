import type { HttpHeaders } from "./headers.ts";
import { isSecretHeader, MAY_CARRY_SECRET, SECRET_PARAM } from "./redact.ts";

/**
 * Adds to `out` the secrets a URL carries: userinfo (name and password, raw and decoded), the
 * values of secret-looking query parameters (`X-Amz-Signature`, `access_token`...) and the conda
 * `/t/<token>` segment. Never throws. Core-internal.
 */
export function collectUrlSecrets(url: string, out: Set<string>): void {
  if (!MAY_CARRY_SECRET.test(url)) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  for (const part of [parsed.username, parsed.password]) {
    if (part === "") continue;
    out.add(part);
    out.add(decode(part));
  }
  if (parsed.username !== "" || parsed.password !== "") {
    // Core's transport sends userinfo as Basic auth: the pair and its base64 go on the wire.
    const pair = `${decode(parsed.username)}:${decode(parsed.password)}`;
    out.add(pair);
    out.add(Buffer.from(pair).toString("base64"));
  }
  if (parsed.search) {
    for (const [name, value] of new URLSearchParams(parsed.search))
      if (value !== "" && SECRET_PARAM.test(name)) out.add(value);
  }
  const conda = /^\/t\/([^/]+)/.exec(parsed.pathname);
  if (conda !== null) {
    out.add(conda[1]!);
    out.add(decode(conda[1]!));
  }
}

/**
 * Adds to `out` the values of `headers` that are secrets (see `isSecretHeader`): the whole value,
 * the credentials after an auth scheme (`Bearer <token>`), a Basic pair's password, auth
 * parameters such as SigV4's `Signature=` and each cookie's value. Core-internal.
 */
export function collectHeaderSecrets(headers: HttpHeaders, out: Set<string>): void {
  for (const name of headers.keys()) {
    if (!isSecretHeader(name)) continue;
    for (const value of headers.getAll(name)) collectValue(name, value, out);
  }
}

function collectValue(name: string, value: string, out: Set<string>): void {
  out.add(value);
  if (name === "cookie") {
    for (const pair of value.split(";")) {
      const eq = pair.indexOf("=");
      if (eq !== -1) out.add(pair.slice(eq + 1).trim());
    }
    return;
  }
  if (name !== "authorization" && name !== "proxy-authorization") return;
  const space = value.indexOf(" ");
  if (space === -1) return;
  const scheme = value.slice(0, space).toLowerCase();
  const credentials = value.slice(space + 1).trim();
  out.add(credentials);
  if (scheme === "basic") {
    const pair = Buffer.from(credentials, "base64").toString("utf8");
    const colon = pair.indexOf(":");
    if (colon !== -1) {
      out.add(pair);
      out.add(pair.slice(colon + 1));
    }
  }
  // auth-params (RFC 9110 §11.2): SigV4's Signature=<hex>, Credential=<key id>/<scope>.
  for (const m of credentials.matchAll(/([A-Za-z][\w-]*)=("[^"]*"|[^\s,]+)/g)) {
    const param = m[1]!.toLowerCase();
    const v = m[2]!.replace(/^"|"$/g, "");
    if (param === "signature" || param === "sig" || SECRET_PARAM.test(param)) out.add(v);
    else if (param === "credential") out.add(v.split("/")[0]!);
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
