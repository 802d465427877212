import { type Dispatcher, request } from "undici";
import { parseChallenge } from "./www-authenticate.ts";

/** Credentials for the push helpers: user and password (Basic or token exchange), or a fixed bearer token. */
export type RegistryCredentials = { username: string; password: string } | { bearer: string };

/** Options shared by the registry client helpers. */
export interface RegistryClientOptions {
  /** Credentials; the helper follows the registry's challenge (Basic, or Bearer token exchange). */
  auth?: RegistryCredentials;
  /** undici dispatcher for every request. @default undici's global dispatcher */
  dispatcher?: Dispatcher;
}

const basic = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

/**
 * Works out the `Authorization` header for `actions` on `repository`: probes `GET /v2/`, answers a
 * Basic challenge with the password, and a Bearer challenge with a token exchange at its realm.
 * Returns `undefined` when the registry needs no credentials.
 */
export async function registryAuthorization(
  registryUrl: string | URL,
  repository: string,
  actions: readonly string[],
  options: RegistryClientOptions = {},
): Promise<string | undefined> {
  const { auth, dispatcher } = options;
  if (auth && "bearer" in auth) return `Bearer ${auth.bearer}`;
  const probe = await request(new URL("/v2/", registryUrl), { dispatcher });
  await probe.body.dump();
  if (probe.statusCode === 200) return undefined;
  const header = probe.headers["www-authenticate"];
  const challenge = parseChallenge(Array.isArray(header) ? (header[0] ?? "") : (header ?? ""));
  if (probe.statusCode !== 401 || !challenge) {
    throw new Error(`GET /v2/ answered ${probe.statusCode} without a usable challenge`);
  }
  if (challenge.scheme.toLowerCase() === "basic") {
    if (!auth) throw new Error("the registry asks for Basic credentials and none were given");
    return basic(auth.username, auth.password);
  }
  if (challenge.scheme.toLowerCase() !== "bearer" || !challenge.params.realm) {
    throw new Error(`unsupported challenge ${challenge.scheme}`);
  }
  const tokenUrl = new URL(challenge.params.realm);
  if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
  tokenUrl.searchParams.set("scope", `repository:${repository}:${actions.join(",")}`);
  const res = await request(tokenUrl, {
    dispatcher,
    headers: auth ? { authorization: basic(auth.username, auth.password) } : {},
  });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`token exchange at ${tokenUrl.origin}${tokenUrl.pathname} answered ${res.statusCode}`);
  }
  const body = (await res.body.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error("token response has neither token nor access_token");
  return `Bearer ${token}`;
}
