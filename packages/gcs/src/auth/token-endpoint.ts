import { redactSecrets } from "@switchyard/core";
import { GcsTokenError } from "../errors.ts";
import type { AccessToken } from "./token-provider.ts";

/** The `fetch` used for token requests: the global one, or a Switchyard `client.fetch`. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Milliseconds a token request may take. */
export const TOKEN_TIMEOUT_MS = 10_000;

// Token responses are small; a larger body is not one.
const TOKEN_BODY_LIMIT = 64 * 1024;

interface TokenCall {
  readonly provider: string;
  readonly fetch: FetchLike;
  readonly url: string;
  readonly init: RequestInit;
  readonly now: () => number;
  /** Strings that must never appear in an error (the assertion...). */
  readonly secrets: readonly string[];
  /** Checks the response beyond its status (e.g. the metadata server's `Metadata-Flavor`). */
  readonly check?: (response: Response) => string | undefined;
}

/**
 * Sends one token request and reads an OAuth2 token response
 * (`{"access_token", "expires_in", "token_type"}`). Failures are {@link GcsTokenError}s quoting
 * the endpoint's `error` and `error_description`, never a secret.
 */
export async function requestToken(call: TokenCall): Promise<AccessToken> {
  const { provider, url } = call;
  const started = call.now();
  let response: Response;
  try {
    response = await call.fetch(url, {
      ...call.init,
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      redirect: "error",
    });
  } catch (cause) {
    throw new GcsTokenError(
      "refresh-failed",
      provider,
      `the token request to ${url} failed (${describe(cause)})`,
      { cause },
    );
  }
  const text = await response.text().catch(() => "");
  const secrets = [...call.secrets];
  if (!response.ok) {
    throw new GcsTokenError(
      "refresh-failed",
      provider,
      `the token endpoint ${url} answered ${response.status}${oauthError(text, secrets)}`,
    );
  }
  const problem = call.check?.(response);
  if (problem) throw new GcsTokenError("invalid-response", provider, `${url} ${problem}`);
  if (text.length > TOKEN_BODY_LIMIT)
    throw new GcsTokenError("invalid-response", provider, `${url} answered an oversized body`);
  let body: { access_token?: unknown; expires_in?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new GcsTokenError("invalid-response", provider, `${url} answered something that is not JSON`);
  }
  if (typeof body?.access_token !== "string" || body.access_token === "")
    throw new GcsTokenError("invalid-response", provider, `${url} answered without an access_token`);
  const expiresIn = Number(body.expires_in);
  if (body.expires_in !== undefined && (!Number.isFinite(expiresIn) || expiresIn <= 0))
    throw new GcsTokenError("invalid-response", provider, `${url} answered an invalid expires_in`);
  // Measured from when the request was sent, so network time never extends the lifetime.
  return {
    token: body.access_token,
    expiresAt: body.expires_in === undefined ? undefined : started + expiresIn * 1000,
  };
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code ?? (cause.cause as { code?: unknown } | undefined)?.code;
    return cause.name === "TimeoutError"
      ? `no answer within ${TOKEN_TIMEOUT_MS} ms`
      : typeof code === "string"
        ? code
        : cause.name;
  }
  return typeof cause;
}

function oauthError(text: string, secrets: string[]): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    const parts = [body.error, body.error_description].filter((p): p is string => typeof p === "string");
    if (parts.length > 0) return `: ${redactSecrets(parts.join(": "), secrets).slice(0, 300)}`;
  } catch {
    // not JSON: say nothing more
  }
  return "";
}
