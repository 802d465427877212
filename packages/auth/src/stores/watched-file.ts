import { open, stat } from "node:fs/promises";
import type { CredentialFileProblem } from "../errors.ts";
import { CredentialFileError } from "../errors.ts";
import { authChannels, publish } from "../events.ts";

/** One problem a parser found in a file. */
export interface FileProblem {
  readonly problem: CredentialFileProblem;
  readonly message: string;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

/** What a parser makes of a file's text. */
export interface Parsed<T> {
  readonly table: T;
  readonly problems: readonly FileProblem[];
}

/** Options shared by the file-backed stores. */
export interface WatchedFileOptions {
  /** Report malformed entries as `switchyard:auth:file-problem` events and skip them, instead of failing. @default false */
  readonly lenient?: boolean | undefined;
  /** Milliseconds between checks (`stat`) of whether the file changed; 0 checks on every lookup. @default 1000 */
  readonly recheckInterval?: number | undefined;
  /** Fail when the file does not exist, instead of treating it as empty. @default false */
  readonly required?: boolean | undefined;
  /** Largest file read, in bytes. @default 16 MiB */
  readonly maxBytes?: number | undefined;
}

const MISSING = "missing";
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

function stampOf(s: { mtimeMs: number; ctimeMs: number; size: number; ino: number; dev: number }): string {
  // Size and inode catch a same-millisecond rewrite and an atomic rename that mtime alone may miss.
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * A file parsed into a table and kept fresh: at most once per recheck interval a lookup stats the
 * file, and a changed stamp (device, inode, size, mtime, ctime) makes the next lookup re-read it.
 * Strict mode caches the error of a malformed file until the file changes; lenient mode publishes
 * each problem once per load and keeps the good entries.
 */
export class WatchedFile<T> {
  readonly path: string;
  readonly #store: string;
  readonly #parse: (text: string) => Parsed<T>;
  readonly #empty: T;
  readonly #lenient: boolean;
  readonly #interval: number;
  readonly #required: boolean;
  readonly #maxBytes: number;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #seenStamp: string | undefined;
  #loadedStamp: string | undefined;
  #table: T | undefined;
  #error: CredentialFileError | undefined;
  #revision = 0;
  #checking: Promise<void> | undefined;
  #loading: Promise<void> | undefined;

  constructor(
    store: string,
    path: string,
    parse: (text: string) => Parsed<T>,
    empty: T,
    options: WatchedFileOptions,
  ) {
    this.#store = store;
    this.path = path;
    this.#parse = parse;
    this.#empty = empty;
    this.#lenient = options.lenient ?? false;
    this.#interval = options.recheckInterval ?? 1000;
    this.#required = options.required ?? false;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** Forces the next lookup to stat (and, if changed, re-read) the file. */
  expire(): void {
    this.#checkedAt = Number.NEGATIVE_INFINITY;
  }

  /** The revision, after a stat when the recheck interval has passed. */
  revision(): number | Promise<number> {
    if (Date.now() - this.#checkedAt < this.#interval) return this.#revision;
    return this.#check().then(() => this.#revision);
  }

  /**
   * The table as last read, when it was read at the revision last seen and without error (what
   * `table()` answers until the revision moves); otherwise undefined. Never reads or stats.
   */
  loaded(): T | undefined {
    return this.#error === undefined && this.#seenStamp === this.#loadedStamp ? this.#table : undefined;
  }

  /** The current table, (re)loading the file when it changed. */
  async table(): Promise<T> {
    const r = this.revision();
    if (typeof r !== "number") await r;
    if (this.#seenStamp !== this.#loadedStamp || (this.#table === undefined && this.#error === undefined)) {
      this.#loading ??= this.#load().finally(() => {
        this.#loading = undefined;
      });
      await this.#loading;
    }
    if (this.#error !== undefined) throw this.#error;
    return this.#table ?? this.#empty;
  }

  #check(): Promise<void> {
    this.#checking ??= (async () => {
      let stamp: string;
      try {
        stamp = stampOf(await stat(this.path));
      } catch (error) {
        stamp = isMissing(error) ? MISSING : `error:${String((error as { code?: unknown }).code)}`;
      }
      this.#checkedAt = Date.now();
      if (stamp !== this.#seenStamp) {
        this.#seenStamp = stamp;
        this.#revision++;
      }
    })().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #load(): Promise<void> {
    let text: string | undefined;
    let stamp = MISSING;
    try {
      const handle = await open(this.path, "r");
      try {
        const info = await handle.stat();
        stamp = stampOf(info);
        if (!info.isFile()) throw Object.assign(new Error("not a regular file"), { code: "EISDIR" });
        if (info.size > this.#maxBytes) {
          throw new CredentialFileError(this.path, "io", `the file is larger than ${this.#maxBytes} bytes`);
        }
        text = await handle.readFile({ encoding: "utf8" });
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (error instanceof CredentialFileError) return this.#settle(stamp, undefined, error);
      if (!isMissing(error)) {
        const code = String((error as { code?: unknown }).code ?? "unknown");
        return this.#settle(
          `error:${code}`,
          undefined,
          new CredentialFileError(this.path, "io", `cannot read the file (${code})`, { cause: error }),
        );
      }
      if (this.#required) {
        return this.#settle(
          MISSING,
          undefined,
          new CredentialFileError(this.path, "io", "the file does not exist"),
        );
      }
      return this.#settle(MISSING, this.#empty, undefined);
    }
    // A BOM is not JSON nor netrc, but editors write one.
    const parsed = this.#parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (parsed.problems.length > 0 && !this.#lenient) {
      const first = parsed.problems[0]!;
      const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more problems)` : "";
      return this.#settle(
        stamp,
        undefined,
        new CredentialFileError(this.path, first.problem, `${first.message}${more}`, {
          line: first.line,
          column: first.column,
        }),
      );
    }
    for (const p of parsed.problems) {
      publish(authChannels.fileProblem, () => ({
        store: this.#store,
        file: this.path,
        line: p.line,
        column: p.column,
        problem: p.problem,
        message: p.message,
      }));
    }
    this.#settle(stamp, parsed.table, undefined);
  }

  #settle(stamp: string, table: T | undefined, error: CredentialFileError | undefined): void {
    this.#table = table;
    this.#error = error;
    this.#loadedStamp = stamp;
    if (stamp !== this.#seenStamp) {
      // The file changed between the stat and the read: adopt what was read, as a new revision.
      this.#seenStamp = stamp;
      this.#revision++;
    }
  }
}
