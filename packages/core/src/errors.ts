import type { Context } from "./context.ts";

// The brand: the stable codes of the classes an error was built as, under a `Symbol.for` key.
// `instanceof` reads it instead of the prototype chain, so an error from another installed copy of
// core (or another realm) is still recognised; keyed by code rather than class name, so a minifier
// renaming classes or a third-party class that happens to be called `TimeoutError` changes nothing.
const kBrand: unique symbol = Symbol.for("switchyard.error.codes") as never;
const brands = new WeakMap<object, readonly string[]>();

/** The class's own static `code`, if it declares one (inherited ones do not count). */
function ownCode(cls: object): string | undefined {
  if (!Object.hasOwn(cls, "code")) return undefined;
  const code = (cls as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** The codes declared along the class chain of `target`, most derived first; cached per class. */
function brandOf(target: object): readonly string[] {
  let codes = brands.get(target);
  if (codes === undefined) {
    const list: string[] = [];
    for (let p: unknown = target; typeof p === "function" && p !== Error; p = Object.getPrototypeOf(p)) {
      const code = ownCode(p);
      if (code !== undefined) list.push(code);
    }
    codes = Object.freeze(list);
    brands.set(target, codes);
  }
  return codes;
}

/**
 * The message with the call's method and (redacted) URL in front, built here once for every
 * error. A message that already starts with them (a subclass written for an older core, which
 * prefixed its own) is left as it is rather than prefixed twice.
 */
function withCall(method: string | undefined, url: string | undefined, message: string): string {
  if (!method && !url) return message;
  const prefix = `${[method, url].filter(Boolean).join(" ")}: `;
  return message.startsWith(prefix) ? message : prefix + message;
}

/** Options every Switchyard error accepts. */
export interface SwitchyardErrorOptions {
  /** The underlying error. */
  readonly cause?: unknown;
  /** The HTTP method of the call that failed; the message starts with it. */
  readonly method?: string;
  /** The URL of the call that failed; must already be redacted (see `redactUrl`); the message starts with it. */
  readonly url?: string;
  /** The call's context (attempts, which mirror...). */
  readonly context?: Context;
  /** Whether retrying the same request may succeed (connection errors, timeouts). */
  readonly transient?: boolean;
}

/**
 * The one error family of Switchyard. Every error has a stable `code`, and its message starts
 * with the call's method and redacted URL when the options name them (`GET https://host/path:
 * ...`): a subclass passes only what went wrong.
 *
 * `instanceof` is decided by code, not by prototype: each class declares its code as a static
 * `code` (`TimeoutError.code === "SWITCHYARD_ERR_TIMEOUT"`), every error carries the codes of
 * the classes it was built as under a `Symbol.for` key, and `value instanceof X` asks whether
 * `X.code` is among them. So it works across duplicate installed copies of core (a plugin built
 * against another copy still recognises these errors), survives a minifier renaming the classes,
 * and is not fooled by another library's class of the same name. A subclass that declares no
 * static `code` is matched by prototype, as plain JavaScript does.
 */
export class SwitchyardError extends Error {
  override name = "SwitchyardError";
  readonly code: string;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly transient: boolean;
  context: Context | undefined;

  constructor(code: string, message: string, options: SwitchyardErrorOptions = {}) {
    super(
      withCall(options.method, options.url, message),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.method = options.method;
    this.url = options.url;
    this.transient = options.transient ?? false;
    this.context = options.context;
    Object.defineProperty(this, kBrand, { value: brandOf(new.target) });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `instanceof` was asked about.
    return hasBrand(this, value);
  }
}

/** `value instanceof cls` for the Switchyard family: by the brand's codes (see above). */
function hasBrand(cls: object, value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const codes = (value as { [kBrand]?: readonly string[] })[kBrand];
  if (!Array.isArray(codes)) return false;
  if (cls === SwitchyardError) return true;
  const code = ownCode(cls);
  if (code !== undefined) return codes.includes(code);
  return Function.prototype[Symbol.hasInstance].call(cls, value);
}

/** Tells whether `value` is a Switchyard error, optionally with the given code. */
export function isSwitchyardError(value: unknown, code?: string): value is SwitchyardError {
  return value instanceof SwitchyardError && (code === undefined || value.code === code);
}

/** Options were invalid; thrown synchronously by factories and `createClient`. */
export class InvalidOptionsError extends SwitchyardError {
  override name = "InvalidOptionsError";
  /** The code of every InvalidOptionsError; `instanceof` and `isInvalidOptionsError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_INVALID_OPTIONS";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_INVALID_OPTIONS", message, options);
  }
}

/** A request could not be built: bad URL, bad header name or value, bad body. */
export class InvalidRequestError extends SwitchyardError {
  override name = "InvalidRequestError";
  /** The code of every InvalidRequestError; `instanceof` and `isInvalidRequestError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_INVALID_REQUEST";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_INVALID_REQUEST", message, options);
  }
}

/** No middleware turned this URL scheme into http(s). */
export class UnsupportedSchemeError extends SwitchyardError {
  override name = "UnsupportedSchemeError";
  /** The code of every UnsupportedSchemeError; `instanceof` and `isUnsupportedSchemeError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_UNSUPPORTED_SCHEME";
  readonly scheme: string;
  constructor(scheme: string, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_UNSUPPORTED_SCHEME", message, options);
    this.scheme = scheme;
  }
}

/** Which phase a timeout fired in. */
export type TimeoutPhase = "connect" | "headers" | "body" | "request";

/** A connect, headers, body or whole-request timeout fired. */
export class TimeoutError extends SwitchyardError {
  override name = "TimeoutError";
  /** The code of every TimeoutError; `instanceof` and `isTimeoutError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_TIMEOUT";
  readonly phase: TimeoutPhase;
  constructor(phase: TimeoutPhase, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_TIMEOUT", message, {
      transient: phase !== "request",
      ...options,
    });
    this.phase = phase;
  }
}

/** The caller aborted the call. Named `AbortError` like the DOM's, which fetch users check for. */
export class AbortError extends SwitchyardError {
  override name = "AbortError";
  /** The code of every AbortError; `instanceof` and `isAbortError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_ABORTED";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_ABORTED", message, {
      ...options,
      transient: false,
    });
  }
}

/** The connection could not be opened (refused, unreachable, DNS, TLS handshake). */
export class ConnectError extends SwitchyardError {
  override name = "ConnectError";
  /** The code of every ConnectError; `instanceof` and `isConnectError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_CONNECT";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_CONNECT", message, {
      transient: true,
      ...options,
    });
  }
}

/** The connection was reset or closed before the exchange completed. */
export class SocketError extends SwitchyardError {
  override name = "SocketError";
  /** The code of every SocketError; `instanceof` and `isSocketError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_SOCKET";
  readonly reason: "reset" | "closed" | "truncated";
  constructor(reason: "reset" | "closed" | "truncated", message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_SOCKET", message, {
      transient: true,
      ...options,
    });
    this.reason = reason;
  }
}

/** A body would have to be sent again but can only be read once. */
export class BodyNotReplayableError extends SwitchyardError {
  override name = "BodyNotReplayableError";
  /** The code of every BodyNotReplayableError; `instanceof` and `isBodyNotReplayableError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_BODY_NOT_REPLAYABLE";
  constructor(why: string, options?: SwitchyardErrorOptions) {
    super(
      "SWITCHYARD_ERR_BODY_NOT_REPLAYABLE",
      `${why}, but the request body is a one-shot stream that was already sent; pass a factory (a function returning a fresh stream) to make it replayable`,
      { ...options, transient: false },
    );
  }
}

/** A redirect was refused: too many hops, a redirect with `redirect: "error"`, or a bad Location. */
export class RedirectError extends SwitchyardError {
  override name = "RedirectError";
  /** The code of every RedirectError; `instanceof` and `isRedirectError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_REDIRECT";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_REDIRECT", message, options);
  }
}

/** The client was closed or destroyed before or during the call. */
export class ClientClosedError extends SwitchyardError {
  override name = "ClientClosedError";
  /** The code of every ClientClosedError; `instanceof` and `isClientClosedError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_CLIENT_CLOSED";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_CLIENT_CLOSED", message, options);
  }
}

/** A response (or its body) broke the protocol: bad length, parse error, oversized headers. */
export class ResponseError extends SwitchyardError {
  override name = "ResponseError";
  /** The code of every ResponseError; `instanceof` and `isResponseError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_RESPONSE";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_RESPONSE", message, options);
  }
}

/** Which bound a decoded body crossed. */
export type DecompressionLimit = "bytes" | "ratio";

/** A compressed response body decoded to more than the `decompress` option allows (a bomb). */
export class DecompressionLimitError extends SwitchyardError {
  override name = "DecompressionLimitError";
  /** The code of every DecompressionLimitError; `instanceof` and `isDecompressionLimitError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_DECOMPRESSION_LIMIT";
  /** Which bound was crossed: `maxBytes` or `maxRatio`. */
  readonly limit: DecompressionLimit;
  constructor(limit: DecompressionLimit, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_DECOMPRESSION_LIMIT", message, {
      ...options,
      transient: false,
    });
    this.limit = limit;
  }
}
