import type { Context } from "./context.ts";

const kBrand: unique symbol = Symbol.for("switchyard.error.kinds") as never;

/** Options every Switchyard error accepts. */
export interface SwitchyardErrorOptions {
  /** The underlying error. */
  readonly cause?: unknown;
  /** The HTTP method of the call that failed. */
  readonly method?: string;
  /** The URL of the call that failed; must already be redacted (see `redactUrl`). */
  readonly url?: string;
  /** The call's context (attempts, which mirror...). */
  readonly context?: Context;
  /** Whether retrying the same request may succeed (connection errors, timeouts). */
  readonly transient?: boolean;
}

/**
 * The one error family of Switchyard. Every error has a stable `code`; `instanceof` works across
 * duplicate installed copies of core (the class brand is a `Symbol.for` key), so a plugin built
 * against another copy of core still recognises these errors.
 */
export class SwitchyardError extends Error {
  override name = "SwitchyardError";
  readonly code: string;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly transient: boolean;
  context: Context | undefined;

  constructor(code: string, message: string, options: SwitchyardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.method = options.method;
    this.url = options.url;
    this.transient = options.transient ?? false;
    this.context = options.context;
    const kinds: string[] = [];
    for (let p: unknown = new.target; typeof p === "function" && p !== Error; p = Object.getPrototypeOf(p)) {
      kinds.push((p as { name: string }).name);
    }
    Object.defineProperty(this, kBrand, { value: Object.freeze(kinds) });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    const kinds = (value as { [kBrand]?: readonly string[] })[kBrand];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `instanceof` was asked about.
    return Array.isArray(kinds) && kinds.includes(this.name);
  }
}

/** Tells whether `value` is a Switchyard error, optionally with the given code. */
export function isSwitchyardError(value: unknown, code?: string): value is SwitchyardError {
  return value instanceof SwitchyardError && (code === undefined || value.code === code);
}

/** Prefixes `message` with the method and (redacted) URL of the call. */
export function describeCall(method: string | undefined, url: string | undefined, message: string): string {
  if (!method && !url) return message;
  return `${[method, url].filter(Boolean).join(" ")}: ${message}`;
}

/** Options were invalid; thrown synchronously by factories and `createClient`. */
export class InvalidOptionsError extends SwitchyardError {
  override name = "InvalidOptionsError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_INVALID_OPTIONS", message, options);
  }
}

/** A request could not be built: bad URL, bad header name or value, bad body. */
export class InvalidRequestError extends SwitchyardError {
  override name = "InvalidRequestError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_INVALID_REQUEST", describeCall(options?.method, options?.url, message), options);
  }
}

/** No middleware turned this URL scheme into http(s). */
export class UnsupportedSchemeError extends SwitchyardError {
  override name = "UnsupportedSchemeError";
  readonly scheme: string;
  constructor(scheme: string, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_UNSUPPORTED_SCHEME", describeCall(options?.method, options?.url, message), options);
    this.scheme = scheme;
  }
}

/** Which phase a timeout fired in. */
export type TimeoutPhase = "connect" | "headers" | "body" | "request";

/** A connect, headers, body or whole-request timeout fired. */
export class TimeoutError extends SwitchyardError {
  override name = "TimeoutError";
  readonly phase: TimeoutPhase;
  constructor(phase: TimeoutPhase, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_TIMEOUT", describeCall(options?.method, options?.url, message), {
      transient: phase !== "request",
      ...options,
    });
    this.phase = phase;
  }
}

/** The caller aborted the call. Named `AbortError` like the DOM's, which fetch users check for. */
export class AbortError extends SwitchyardError {
  override name = "AbortError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_ABORTED", describeCall(options?.method, options?.url, message), {
      ...options,
      transient: false,
    });
  }
}

/** The connection could not be opened (refused, unreachable, DNS, TLS handshake). */
export class ConnectError extends SwitchyardError {
  override name = "ConnectError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_CONNECT", describeCall(options?.method, options?.url, message), {
      transient: true,
      ...options,
    });
  }
}

/** The connection was reset or closed before the exchange completed. */
export class SocketError extends SwitchyardError {
  override name = "SocketError";
  readonly reason: "reset" | "closed" | "truncated";
  constructor(reason: "reset" | "closed" | "truncated", message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_SOCKET", describeCall(options?.method, options?.url, message), {
      transient: true,
      ...options,
    });
    this.reason = reason;
  }
}

/** A body would have to be sent again but can only be read once. */
export class BodyNotReplayableError extends SwitchyardError {
  override name = "BodyNotReplayableError";
  constructor(why: string, options?: SwitchyardErrorOptions) {
    super(
      "SWITCHYARD_ERR_BODY_NOT_REPLAYABLE",
      describeCall(
        options?.method,
        options?.url,
        `${why}, but the request body is a one-shot stream that was already sent; pass a factory (a function returning a fresh stream) to make it replayable`,
      ),
      { ...options, transient: false },
    );
  }
}

/** A redirect was refused: too many hops, a redirect with `redirect: "error"`, or a bad Location. */
export class RedirectError extends SwitchyardError {
  override name = "RedirectError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_REDIRECT", describeCall(options?.method, options?.url, message), options);
  }
}

/** The client was closed or destroyed before or during the call. */
export class ClientClosedError extends SwitchyardError {
  override name = "ClientClosedError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_CLIENT_CLOSED", describeCall(options?.method, options?.url, message), options);
  }
}

/** A response (or its body) broke the protocol: bad length, parse error, oversized headers. */
export class ResponseError extends SwitchyardError {
  override name = "ResponseError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_RESPONSE", describeCall(options?.method, options?.url, message), options);
  }
}

/** Which bound a decoded body crossed. */
export type DecompressionLimit = "bytes" | "ratio";

/** A compressed response body decoded to more than the `decompress` option allows (a bomb). */
export class DecompressionLimitError extends SwitchyardError {
  override name = "DecompressionLimitError";
  /** Which bound was crossed: `maxBytes` or `maxRatio`. */
  readonly limit: DecompressionLimit;
  constructor(limit: DecompressionLimit, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_DECOMPRESSION_LIMIT", describeCall(options?.method, options?.url, message), {
      ...options,
      transient: false,
    });
    this.limit = limit;
  }
}
