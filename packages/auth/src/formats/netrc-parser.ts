/**
 * A pure `.netrc` parser. It never throws: problems come back with their line and column, and
 * their messages never quote the file's text (a misspelt keyword may be followed by a password).
 *
 * Grammar (as curl and Python's `netrc` read it): white-space separated tokens; `machine NAME`
 * starts an entry, `default` starts the catch-all entry; `login`, `password`, `account` take one
 * token each; `macdef NAME` is followed by a macro body that runs to the next empty line; a token
 * starting with `#` comments out the rest of its line; a token may be double-quoted with `\`
 * escapes.
 */

/** One `machine` (or `default`) entry. */
export interface NetrcEntry {
  /** The machine name, or undefined for `default`. */
  readonly machine: string | undefined;
  readonly login: string | undefined;
  readonly password: string | undefined;
  readonly account: string | undefined;
  /** 1-based line of the `machine` / `default` token. */
  readonly line: number;
}

/** A problem found while parsing. */
export interface NetrcProblem {
  readonly line: number;
  readonly column: number;
  /** What is wrong; never contains text from the file. */
  readonly message: string;
}

/** What `parseNetrc` returns. */
export interface NetrcDocument {
  /** `machine` entries in file order. */
  readonly machines: readonly NetrcEntry[];
  /** The `default` entry, if any. */
  readonly default: NetrcEntry | undefined;
  readonly problems: readonly NetrcProblem[];
}

interface Token {
  readonly text: string;
  readonly line: number;
  readonly column: number;
  readonly quoted: boolean;
}

const MAX_PROBLEMS = 100;
const MAX_TOKENS = 1_000_000;

class Scanner {
  readonly #text: string;
  #pos = 0;
  #line = 1;
  #lineStart = 0;
  readonly problems: NetrcProblem[] = [];

  constructor(text: string) {
    this.#text = text;
  }

  problem(line: number, column: number, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ line, column, message });
  }

  #advanceNewline(): void {
    this.#line++;
    this.#lineStart = this.#pos;
  }

  /** The next token, or undefined at the end. Skips white space and comments. */
  next(): Token | undefined {
    const text = this.#text;
    for (;;) {
      while (this.#pos < text.length) {
        const ch = text[this.#pos]!;
        if (ch === "\n") {
          this.#pos++;
          this.#advanceNewline();
        } else if (ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\v") {
          this.#pos++;
        } else break;
      }
      if (this.#pos >= text.length) return undefined;
      if (text[this.#pos] === "#") {
        while (this.#pos < text.length && text[this.#pos] !== "\n") this.#pos++;
        continue;
      }
      break;
    }
    const line = this.#line;
    const column = this.#pos - this.#lineStart + 1;
    if (text[this.#pos] === '"') {
      this.#pos++;
      let out = "";
      for (;;) {
        if (this.#pos >= text.length || text[this.#pos] === "\n") {
          this.problem(line, column, "unterminated quoted token");
          return { text: out, line, column, quoted: true };
        }
        const ch = text[this.#pos]!;
        this.#pos++;
        if (ch === '"') return { text: out, line, column, quoted: true };
        if (ch === "\\" && this.#pos < text.length && text[this.#pos] !== "\n") {
          out += text[this.#pos]!;
          this.#pos++;
        } else {
          out += ch;
        }
      }
    }
    const start = this.#pos;
    while (this.#pos < text.length && !/\s/.test(text[this.#pos]!)) this.#pos++;
    return { text: text.slice(start, this.#pos), line, column, quoted: false };
  }

  /** Skips a macro body: the rest of the current line, then lines up to an empty one. */
  skipMacro(): void {
    const text = this.#text;
    while (this.#pos < text.length && text[this.#pos] !== "\n") this.#pos++;
    while (this.#pos < text.length) {
      // At a newline: consume it and look at the following line.
      this.#pos++;
      this.#advanceNewline();
      let end = this.#pos;
      while (end < text.length && text[end] !== "\n") end++;
      const lineText = text.slice(this.#pos, end);
      if (lineText.trim() === "") {
        this.#pos = end;
        return;
      }
      this.#pos = end;
    }
  }
}

interface Draft {
  machine: string | undefined;
  login: string | undefined;
  password: string | undefined;
  account: string | undefined;
  line: number;
}

const FIELD_KEYWORDS = new Set(["login", "password", "account"]);

/** Parses netrc text. Never throws; see {@link NetrcDocument.problems}. */
export function parseNetrc(text: string): NetrcDocument {
  const scanner = new Scanner(typeof text === "string" ? text : "");
  const machines: NetrcEntry[] = [];
  let defaultEntry: NetrcEntry | undefined;
  let current: Draft | undefined;
  const finish = () => {
    if (current === undefined) return;
    const entry: NetrcEntry = Object.freeze({ ...current });
    if (current.machine === undefined) {
      if (defaultEntry === undefined) defaultEntry = entry;
      else scanner.problem(current.line, 1, "more than one `default` entry");
    } else machines.push(entry);
    current = undefined;
  };
  for (let count = 0; ; count++) {
    const token = scanner.next();
    if (token === undefined) break;
    if (count >= MAX_TOKENS) {
      scanner.problem(token.line, token.column, `more than ${MAX_TOKENS} tokens; the rest is not read`);
      break;
    }
    const keyword = token.quoted ? "" : token.text;
    if (keyword === "machine" || keyword === "default") {
      finish();
      if (keyword === "default") {
        current = {
          machine: undefined,
          login: undefined,
          password: undefined,
          account: undefined,
          line: token.line,
        };
        continue;
      }
      const name = scanner.next();
      if (name === undefined) {
        scanner.problem(token.line, token.column, "`machine` at the end of the file has no name");
        break;
      }
      if (name.text === "") scanner.problem(name.line, name.column, "`machine` has an empty name");
      current = {
        machine: name.text,
        login: undefined,
        password: undefined,
        account: undefined,
        line: token.line,
      };
      continue;
    }
    if (keyword === "macdef") {
      const name = scanner.next();
      if (name === undefined) {
        scanner.problem(token.line, token.column, "`macdef` at the end of the file has no name");
        break;
      }
      // The macro body starts on the line after the name; a name on another line is a mistake.
      scanner.skipMacro();
      continue;
    }
    if (FIELD_KEYWORDS.has(keyword)) {
      const value = scanner.next();
      if (value === undefined) {
        scanner.problem(token.line, token.column, `\`${keyword}\` at the end of the file has no value`);
        break;
      }
      if (current === undefined) {
        scanner.problem(token.line, token.column, `\`${keyword}\` before any \`machine\` or \`default\``);
        continue;
      }
      const field = keyword as "login" | "password" | "account";
      if (current[field] !== undefined) {
        scanner.problem(token.line, token.column, `\`${keyword}\` given twice for one machine`);
        continue;
      }
      current[field] = value.text;
      continue;
    }
    scanner.problem(
      token.line,
      token.column,
      "unexpected token (expected machine, default, login, password, account or macdef)",
    );
  }
  finish();
  return Object.freeze({
    machines: Object.freeze(machines),
    default: defaultEntry,
    problems: Object.freeze(scanner.problems),
  });
}
