import { InvalidOptionsError, redactUrl } from "@switchyard/core";
import type { UrlPrefix } from "./mirror-prefix.ts";
import { parsePrefix, prefixProblem, trimTrailingSlashes } from "./mirror-prefix.ts";

/** One mirror with its own settings. */
export interface MirrorSpec {
  /** Where the prefix is mirrored: `http(s)://`, `oci://`, `s3://`... (the resolve stage handles non-http). */
  readonly url: string | URL;
  /** Failures after which this mirror is skipped until its cool-down ends. @default the `maxFailures` option */
  readonly maxFailures?: number;
  /** The mirror has no `.json.zst` files (rattler's `no_zstd`): such requests skip it. @default false */
  readonly noZstd?: boolean;
  /** The mirror has no `.json.bz2` files (rattler's `no_bz2`): such requests skip it. @default false */
  readonly noBz2?: boolean;
  /**
   * Returns true for paths the mirror does not carry; such requests skip it without touching the
   * network. `path` is the request path below the prefix (`/linux-64/repodata.json.zst`), still
   * percent-encoded, without the query.
   */
  readonly skip?: (path: string) => boolean;
}

/** A mirror: its URL, or a {@link MirrorSpec}. */
export type MirrorInput = string | URL | MirrorSpec;

/** The mirrors of one prefix, with settings for that prefix. */
export interface PrefixSpec {
  readonly mirrors: readonly MirrorInput[];
  /** Try the original URL after every mirror failed. @default the `fallbackToOrigin` option */
  readonly fallbackToOrigin?: boolean;
}

/** The mirrors of one prefix: a list, or a {@link PrefixSpec}. */
export type PrefixConfig = readonly MirrorInput[] | PrefixSpec;

/** Prefix URL -> its mirrors. Trailing slashes do not matter; the longest matching prefix wins. */
export type MirrorsConfig = Readonly<Record<string, PrefixConfig>>;

/** A validated mirror. */
export interface ParsedMirror {
  /** The URL requests are rewritten onto (userinfo kept), without trailing slash. */
  readonly base: string;
  /** Identity across pool replacements: scheme, host and path, without userinfo. */
  readonly key: string;
  /** The URL for messages, events and snapshots. */
  readonly redacted: string;
  /** `scheme://host[:port]`: a request moving to another one loses the caller's credentials. */
  readonly origin: string;
  readonly maxFailures: number;
  /** Whether the mirror carries `path` (below the prefix, without query). */
  readonly carries: (path: string) => boolean;
  /** Userinfo parts, removed from error texts recorded for this mirror. */
  readonly secrets: readonly string[];
}

/** A validated prefix with its mirrors. */
export interface ParsedPrefix {
  readonly prefix: UrlPrefix;
  readonly redacted: string;
  readonly fallbackToOrigin: boolean;
  readonly mirrors: readonly ParsedMirror[];
}

/** Defaults that apply where a prefix or mirror says nothing. */
export interface ConfigDefaults {
  readonly maxFailures: number;
  readonly fallbackToOrigin: boolean;
}

function parseUrl(what: string, value: unknown): URL {
  if (typeof value !== "string" && !(value instanceof URL)) {
    throw new InvalidOptionsError(`${what} must be a URL string, got ${typeof value}`);
  }
  let url: URL;
  try {
    url = new URL(String(value));
  } catch (cause) {
    throw new InvalidOptionsError(`${what} is not a valid URL: ${JSON.stringify(redactUrl(String(value)))}`, {
      cause,
    });
  }
  const problem = prefixProblem(url);
  if (problem !== undefined) throw new InvalidOptionsError(`${what} ${problem}: ${redactUrl(url)}`);
  return url;
}

/** Checks a failure limit: an integer >= 1, or Infinity for "never skip". */
export function checkMaxFailures(what: string, value: unknown): number {
  if (value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new InvalidOptionsError(`${what} must be an integer >= 1 or Infinity, got ${String(value)}`);
  }
  return value;
}

const ZSTD = ".json.zst";
const BZ2 = ".json.bz2";

function parseMirror(where: string, input: MirrorInput, defaults: ConfigDefaults): ParsedMirror {
  let spec: MirrorSpec;
  if (typeof input === "string" || input instanceof URL) spec = { url: input };
  else if (typeof input === "object" && input !== null) spec = input;
  else throw new InvalidOptionsError(`${where} must be a URL or { url, ... }, got ${String(input)}`);
  const url = parseUrl(`${where}.url`, spec.url);
  const maxFailures =
    spec.maxFailures === undefined
      ? defaults.maxFailures
      : checkMaxFailures(`${where}.maxFailures`, spec.maxFailures);
  for (const flag of ["noZstd", "noBz2"] as const) {
    if (spec[flag] !== undefined && typeof spec[flag] !== "boolean") {
      throw new InvalidOptionsError(`${where}.${flag} must be a boolean`);
    }
  }
  if (spec.skip !== undefined && typeof spec.skip !== "function") {
    throw new InvalidOptionsError(`${where}.skip must be a function (path) => boolean`);
  }
  const { noZstd = false, noBz2 = false, skip } = spec;
  const carries =
    !noZstd && !noBz2 && skip === undefined
      ? () => true
      : (path: string) =>
          !(noZstd && path.endsWith(ZSTD)) && !(noBz2 && path.endsWith(BZ2)) && !(skip?.(path) ?? false);
  const secrets = new Set<string>();
  for (const part of [url.username, url.password]) {
    if (part === "") continue;
    secrets.add(part);
    try {
      secrets.add(decodeURIComponent(part));
    } catch {
      // not percent-encoded text: the raw form is enough
    }
  }
  const parsed = parsePrefix(url);
  return {
    base: trimTrailingSlashes(url.href),
    key: parsed.key,
    redacted: trimTrailingSlashes(redactUrl(url.href)),
    origin: parsed.base,
    maxFailures,
    carries,
    secrets: [...secrets],
  };
}

/** Validates one prefix's mirrors; throws InvalidOptionsError naming the bad entry. */
export function parsePrefixConfig(
  prefixText: string,
  config: PrefixConfig,
  defaults: ConfigDefaults,
): ParsedPrefix {
  const url = parseUrl(`mirrors[${JSON.stringify(redactUrl(prefixText))}] prefix`, prefixText);
  if (url.username || url.password) {
    throw new InvalidOptionsError(`mirror prefix ${redactUrl(url)} must not carry userinfo`);
  }
  const prefix = parsePrefix(url);
  const where = `mirrors[${JSON.stringify(prefix.key)}]`;
  const list = Array.isArray(config) ? config : (config as PrefixSpec | undefined)?.mirrors;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidOptionsError(`${where} needs a non-empty list of mirrors`);
  }
  let fallbackToOrigin = defaults.fallbackToOrigin;
  if (!Array.isArray(config)) {
    const own = (config as PrefixSpec).fallbackToOrigin;
    if (own !== undefined && typeof own !== "boolean") {
      throw new InvalidOptionsError(`${where}.fallbackToOrigin must be a boolean`);
    }
    fallbackToOrigin = own ?? fallbackToOrigin;
  }
  const mirrors = (list as readonly MirrorInput[]).map((m, i) => parseMirror(`${where}[${i}]`, m, defaults));
  const seen = new Set<string>();
  for (const m of mirrors) {
    if (seen.has(m.key)) throw new InvalidOptionsError(`${where} lists the mirror ${m.redacted} twice`);
    seen.add(m.key);
  }
  return { prefix, redacted: trimTrailingSlashes(redactUrl(prefix.key)), fallbackToOrigin, mirrors };
}

/** Validates a whole mirrors table; throws InvalidOptionsError on the first problem. */
export function parseMirrorsConfig(config: MirrorsConfig, defaults: ConfigDefaults): ParsedPrefix[] {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new InvalidOptionsError("mirrors must be an object mapping URL prefixes to lists of mirrors");
  }
  const out: ParsedPrefix[] = [];
  const seen = new Set<string>();
  for (const [prefix, value] of Object.entries(config)) {
    const parsed = parsePrefixConfig(prefix, value, defaults);
    if (seen.has(parsed.prefix.key)) {
      throw new InvalidOptionsError(
        `mirror prefix ${parsed.redacted} is listed twice (trailing slashes do not make prefixes distinct)`,
      );
    }
    seen.add(parsed.prefix.key);
    out.push(parsed);
  }
  return out;
}
