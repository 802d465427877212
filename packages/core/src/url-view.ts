// Parsed URLs, shared by every request made from the same text (core-internal).
//
// Why: after the socket write, WHATWG parsing is the largest single cost of a small request: 500 to
// 770 ns of a 23 µs loopback GET on the build machine, paid by bare `undici.request` as well. Programs
// send the same URL text again and again (an API endpoint, a polled status, a registry index), and
// parsing is deterministic: a request made from text parsed before can take the earlier result. The
// URL object never leaves core and nothing changes it, so one object and one read-only view of its
// fields serve every such request; each field is read from the URL once per text, not once per call.
//
// Bounded: at most 256 texts of at most 2 KiB, all dropped when full (a program cycling through more
// pays a Map lookup per parse, tens of ns). Only text that cannot carry a secret is kept (no userinfo,
// query, fragment or conda token: redact.ts's test), so no credential outlives the requests that
// carry it.
import { InvalidRequestError } from "./errors.ts";
import { MAY_CARRY_SECRET, redactUrl, redactUrlError } from "./redact.ts";
import type { UrlParts } from "./request.ts";

const VIEWS_MAX = 256;
// Longer texts (a data: URL, a generated path) are parsed each time rather than held.
const TEXT_MAX = 2048;
const views = new Map<string, UrlView>();

/**
 * The view of `url` parsed: the shared one when this text was parsed before. Throws
 * InvalidRequestError (the URL redacted) when it does not parse.
 */
export function parseUrlView(url: string | URL): UrlView {
  const text: unknown = typeof url === "string" ? url : url instanceof URL ? url.href : url;
  if (typeof text !== "string") return new UrlView(parse(text));
  const known = views.get(text);
  if (known !== undefined) return known;
  const view = new UrlView(parse(text));
  if (text.length <= TEXT_MAX && !MAY_CARRY_SECRET.test(text)) {
    if (views.size >= VIEWS_MAX) views.clear();
    views.set(text, view);
  }
  return view;
}

function parse(text: unknown): URL {
  try {
    return new URL(text as string);
  } catch (cause) {
    throw new InvalidRequestError(`invalid URL ${JSON.stringify(redactUrl(String(text)).slice(0, 200))}`, {
      cause: redactUrlError(cause),
    });
  }
}

/**
 * A read-only window on a parsed URL. Each field is read from the URL once and kept: URL getters build
 * a new string on every read, and several middleware read the same fields on every call.
 */
export class UrlView implements UrlParts {
  readonly #url: URL;
  // Private like every field: inspecting a view must not print a URL's userinfo.
  readonly #href: string;
  #protocol: string | undefined;
  #username: string | undefined;
  #password: string | undefined;
  #host: string | undefined;
  #hostname: string | undefined;
  #port: string | undefined;
  #pathname: string | undefined;
  #search: string | undefined;
  #origin: string | undefined;
  constructor(url: URL) {
    this.#url = url;
    this.#href = url.href;
  }
  get href(): string {
    return this.#href;
  }
  get protocol(): string {
    this.#protocol ??= this.#url.protocol;
    return this.#protocol;
  }
  get username(): string {
    this.#username ??= this.#url.username;
    return this.#username;
  }
  get password(): string {
    this.#password ??= this.#url.password;
    return this.#password;
  }
  get host(): string {
    this.#host ??= this.#url.host;
    return this.#host;
  }
  get hostname(): string {
    this.#hostname ??= this.#url.hostname;
    return this.#hostname;
  }
  get port(): string {
    this.#port ??= this.#url.port;
    return this.#port;
  }
  get pathname(): string {
    this.#pathname ??= this.#url.pathname;
    return this.#pathname;
  }
  get search(): string {
    this.#search ??= this.#url.search;
    return this.#search;
  }
  get hash(): string {
    return this.#url.hash;
  }
  get origin(): string {
    this.#origin ??= this.#url.origin;
    return this.#origin;
  }
}
