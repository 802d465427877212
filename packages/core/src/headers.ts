import { InvalidRequestError } from "./errors.ts";

/** A header value as undici hands it over: set-cookie and repeated headers come as arrays. */
export type HeaderValue = string | readonly string[];

/** What can initialise or extend {@link HttpHeaders}. A value of `undefined` deletes the header. */
export type HeadersInit =
  | HttpHeaders
  | Record<string, HeaderValue | number | undefined>
  | Iterable<readonly [string, string]>
  | Headers;

type HeaderRecord = Record<string, HeaderValue>;
// Lower-case name -> the spelling the caller gave, for names that were not lower case.
type Spelling = Readonly<Record<string, string>>;

/**
 * Headers over an already normalised record (lower-case names, checked values) that go on the wire
 * with the caller's spelling of the names in `spelling` (core-internal: client.fetch keeps the
 * first spelling of each name, as fetch does).
 */
export let spelledHeaders: (
  record: Readonly<Record<string, HeaderValue>>,
  spelling: Spelling | undefined,
) => HttpHeaders;

/**
 * The record to put on the wire (core-internal): `toRecord()`, or, when names were given with
 * another spelling (see `spelledHeaders`), a copy with those names spelled as given.
 */
export let wireRecord: (headers: HttpHeaders) => Readonly<Record<string, HeaderValue>>;

// RFC 9110 §5.1 field-name token, §5.5 field-value: no CR, LF or NUL.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;

// undici's response records are plain objects: `constructor` or `__proto__` would otherwise find
// Object.prototype's members. A header value is only ever a string or an array of strings.
function own(record: Readonly<HeaderRecord>, key: string): HeaderValue | undefined {
  const value = record[key];
  return typeof value === "string" || Array.isArray(value) ? value : undefined;
}

function checkName(name: string): string {
  if (!TOKEN.test(name))
    throw new InvalidRequestError(`invalid header name ${JSON.stringify(name.slice(0, 64))}`);
  return name.toLowerCase();
}

function checkValue(name: string, value: string): string {
  if (BAD_VALUE.test(value)) {
    throw new InvalidRequestError(
      `invalid value for header ${JSON.stringify(name)}: it contains CR, LF or NUL`,
    );
  }
  return value.trim();
}

/**
 * Immutable, case-insensitive HTTP headers. Derivation (`set`, `delete`, `merge`) copies the small
 * record once; reading shares it. Maps straight onto undici's `headers` option.
 */
export class HttpHeaders implements Iterable<[string, string]> {
  readonly #record: Readonly<HeaderRecord>;
  // Only client.fetch sets it: headers built any other way are sent lower case, as before.
  readonly #spelling: Spelling | undefined;

  private constructor(record: Readonly<HeaderRecord>, spelling?: Spelling) {
    this.#record = record;
    this.#spelling = spelling;
  }

  static {
    spelledHeaders = (record, spelling) => new HttpHeaders(record, spelling);
    wireRecord = (headers) => {
      const spelling = headers.#spelling;
      const record = headers.#record;
      if (spelling === undefined) return record;
      const out: HeaderRecord = Object.create(null);
      for (const name of Object.keys(record)) out[spelling[name] ?? name] = record[name] as HeaderValue;
      return out;
    };
  }

  /** Empty headers. */
  static readonly EMPTY: HttpHeaders = new HttpHeaders(Object.freeze(Object.create(null)));

  /** Validates and normalises (lower-case names, trimmed values) any headers init. */
  static from(init?: HeadersInit | null): HttpHeaders {
    if (init == null) return HttpHeaders.EMPTY;
    if (init instanceof HttpHeaders) return init;
    return HttpHeaders.EMPTY.merge(init);
  }

  /**
   * Wraps a record that is already normalised (lower-case names), such as undici's response
   * headers, without copying or validating it.
   */
  static trusted(record: Record<string, HeaderValue | undefined>): HttpHeaders {
    return new HttpHeaders(record as HeaderRecord);
  }

  /** The value of `name`; repeated values joined by `, ` (set-cookie too: use getAll for it). */
  get(name: string): string | undefined {
    const value = own(this.#record, name.toLowerCase());
    if (value === undefined) return undefined;
    return typeof value === "string" ? value : value.join(", ");
  }

  /** Every value of `name`. */
  getAll(name: string): string[] {
    const value = own(this.#record, name.toLowerCase());
    if (value === undefined) return [];
    return typeof value === "string" ? [value] : [...value];
  }

  /** Whether `name` is present (case-insensitive). */
  has(name: string): boolean {
    return own(this.#record, name.toLowerCase()) !== undefined;
  }

  /** New headers with `name` set to `value` (replacing any previous value). */
  set(name: string, value: HeaderValue | number): HttpHeaders {
    const key = checkName(name);
    const next: HeaderRecord = Object.assign(Object.create(null), this.#record);
    next[key] = normaliseValue(key, value);
    return new HttpHeaders(Object.freeze(next), this.#spelling);
  }

  /** New headers without `name`s (returns this when none is present). */
  delete(...names: string[]): HttpHeaders {
    let next: HeaderRecord | undefined;
    for (const name of names) {
      const key = name.toLowerCase();
      if (own(this.#record, key) === undefined) continue;
      const copy: HeaderRecord = next ?? Object.assign(Object.create(null), this.#record);
      delete copy[key];
      next = copy;
    }
    return next ? new HttpHeaders(Object.freeze(next), this.#spelling) : this;
  }

  /** New headers with every entry of `init` set over these; `undefined` values delete. */
  merge(init: HeadersInit): HttpHeaders {
    const next: HeaderRecord = Object.assign(Object.create(null), this.#record);
    let spelling = this.#spelling;
    if (init instanceof HttpHeaders) {
      Object.assign(next, init.#record);
      const other = init.#spelling;
      if (other !== undefined) spelling = spelling === undefined ? other : { ...spelling, ...other };
    } else if (isIterable(init)) {
      const seen = new Set<string>();
      for (const [name, value] of init) {
        const key = checkName(name);
        const v = checkValue(key, String(value));
        const prev = next[key];
        // Iterables (and WHATWG Headers) may repeat a name: the values accumulate.
        if (seen.has(key) && prev !== undefined)
          next[key] = [...(typeof prev === "string" ? [prev] : prev), v];
        else next[key] = v;
        seen.add(key);
      }
    } else {
      for (const name of Object.keys(init)) {
        const value = (init as Record<string, HeaderValue | number | undefined>)[name];
        const key = checkName(name);
        if (value === undefined) delete next[key];
        else next[key] = normaliseValue(key, value);
      }
    }
    return new HttpHeaders(Object.freeze(next), spelling);
  }

  /** The normalised record, for undici's `headers` option; frozen for headers built here. */
  toRecord(): Readonly<Record<string, HeaderValue>> {
    return this.#record;
  }

  /** Entries with repeated values joined, except set-cookie which yields one entry per cookie. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#record)) {
      const value = this.#record[name];
      if (value === undefined) continue;
      if (typeof value === "string") yield [name, value];
      else if (name === "set-cookie") for (const v of value) yield [name, v];
      else yield [name, value.join(", ")];
    }
  }

  /** Header names, lower case. */
  keys(): string[] {
    return Object.keys(this.#record);
  }

  /** A WHATWG `Headers` copy, for the fetch edge. */
  toWebHeaders(): Headers {
    const out = new Headers();
    for (const [name, value] of this) out.append(name, value);
    return out;
  }
}

function normaliseValue(key: string, value: HeaderValue | number): HeaderValue {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return checkValue(key, value);
  return value.map((v) => checkValue(key, String(v)));
}

function isIterable(value: unknown): value is Iterable<readonly [string, string]> {
  return typeof value === "object" && value !== null && Symbol.iterator in value;
}
