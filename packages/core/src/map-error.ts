import type { Context } from "./context.ts";
import {
  AbortError,
  ClientClosedError,
  ConnectError,
  InvalidRequestError,
  ResponseError,
  SocketError,
  SwitchyardError,
  TimeoutError,
} from "./errors.ts";
import { redactUrl } from "./redact.ts";
import { scrubCallError } from "./scrub.ts";

/** Where an error happened, for its message. */
export interface ErrorSite {
  readonly method: string;
  readonly url: string;
  readonly context?: Context | undefined;
  /** Whether the error arose while reading the response body (after headers). */
  readonly phase?: "send" | "body";
}

const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ECONNABORTED",
  "UND_ERR_PRX_CONN",
  "UND_ERR_PRX_TLS",
]);

function code(error: unknown): string | undefined {
  const c = (error as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : undefined;
}

function isTlsError(error: unknown): boolean {
  const c = code(error) ?? "";
  return c.startsWith("ERR_TLS") || c.startsWith("ERR_SSL") || /CERT|SELF_SIGNED|UNABLE_TO_/.test(c);
}

/**
 * Turns an undici or Node error into the Switchyard family, telling timeouts, caller aborts,
 * connect failures and resets apart. Switchyard errors pass through with the context attached.
 * Whatever comes out is scrubbed (in place, down its `cause` chain) of every secret the call's
 * context knows and of those in `site.url` (see `scrubSecrets`): this is the boundary every
 * call's error crosses, so no plugin has to remember it.
 */
export function mapError(error: unknown, site: ErrorSite): SwitchyardError {
  return scrubCallError(mapUnscrubbed(error, site), site.context, site.url);
}

function mapUnscrubbed(error: unknown, site: ErrorSite): SwitchyardError {
  if (error instanceof SwitchyardError) {
    error.context ??= site.context;
    return error;
  }
  const where = { method: site.method, url: redactUrl(site.url), context: site.context, cause: error };
  const c = code(error);
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  switch (c) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return new TimeoutError(
        "connect",
        "connect timeout: the server did not accept the connection in time",
        where,
      );
    case "UND_ERR_HEADERS_TIMEOUT":
      return new TimeoutError("headers", "headers timeout: the server did not answer in time", where);
    case "UND_ERR_BODY_TIMEOUT":
      return new TimeoutError("body", "body timeout: the response body stalled", where);
    case "UND_ERR_DESTROYED":
    case "UND_ERR_CLOSED":
      return new ClientClosedError("the client was closed; create a new one", where);
    case "UND_ERR_INVALID_ARG":
      return new InvalidRequestError(`undici refused the request: ${message}`, where);
    case "UND_ERR_RES_CONTENT_LENGTH_MISMATCH":
      return new SocketError("truncated", "the response body was shorter than its Content-Length", where);
    case "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH":
      return new InvalidRequestError(
        "the request body length does not match its Content-Length header",
        where,
      );
    case "UND_ERR_HEADERS_OVERFLOW":
    case "UND_ERR_RES_EXCEEDED_MAX_SIZE":
      return new ResponseError(`the response was too large: ${message}`, where);
    case "UND_ERR_ABORTED":
    case "UND_ERR_ABORT":
    case "ABORT_ERR":
      return new AbortError("the call was aborted", where);
    case "ECONNRESET":
    case "EPIPE":
      return new SocketError("reset", "the connection was reset by the peer", where);
    case "UND_ERR_SOCKET":
      return new SocketError(
        site.phase === "body" ? "truncated" : "closed",
        site.phase === "body"
          ? "the connection closed before the response body ended"
          : "the connection closed before the response arrived",
        where,
      );
  }
  if (name === "AbortError") return new AbortError("the call was aborted", where);
  if (name === "TimeoutError") return new TimeoutError("request", "the call timed out", where);
  if (c && CONNECT_CODES.has(c)) return new ConnectError(`could not connect (${c})`, where);
  if (isTlsError(error)) {
    return new ConnectError(
      `TLS handshake failed (${c}); check the CA, the certificate and the server name`,
      {
        ...where,
        transient: false,
      },
    );
  }
  if (c?.startsWith("HPE_"))
    return new ResponseError(`the server sent an invalid HTTP response (${c})`, where);
  // undici 8's parser errors may come without a code; the name still says what they are.
  if (name === "HTTPParserError")
    return new ResponseError(`the server sent an invalid HTTP response (${message.slice(0, 200)})`, where);
  return new SwitchyardError("SWITCHYARD_ERR_UNKNOWN", redactUrl(message), where);
}
