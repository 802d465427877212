import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { BasicCredential, Credential } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";
import { parseKey } from "../credential-key.ts";
import type { CredentialMatcher, MatcherEntry } from "../credential-matcher.ts";
import { createMatcher } from "../credential-matcher.ts";
import type { NetrcEntry } from "../formats/netrc-parser.ts";
import { parseNetrc } from "../formats/netrc-parser.ts";
import type { AuthStore } from "./auth-store.ts";
import { checkFileOptions } from "./file-store.ts";
import { declareKeys } from "./store-scope.ts";
import type { FileProblem, Parsed, WatchedFileOptions } from "./watched-file.ts";
import { WatchedFile } from "./watched-file.ts";

/** Options of {@link netrcStore}. */
export interface NetrcStoreOptions extends WatchedFileOptions {
  /** The netrc file. Required unless `fromEnvironment` is set. */
  readonly path?: string;
  /**
   * Use `$NETRC` when set and not empty, else `~/.netrc` (read when the store is created). Only
   * when you ask: no store ever reads the environment or your home directory by default.
   * @default false
   */
  readonly fromEnvironment?: boolean;
  /** Use the `default` entry for hosts no `machine` names. @default true (as curl does) */
  readonly useDefault?: boolean;
  /** The store's name in events and errors. @default "netrc" */
  readonly name?: string;
  /** The environment to read `NETRC` from, for `fromEnvironment`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A store over a netrc file. */
export interface NetrcStore extends AuthStore {
  /** Changes whenever the store's data changes. */
  revision(): number | Promise<number>;
  /** The absolute path of the file. */
  readonly path: string;
  /** The store re-reads the file on the next lookup (also called after a 401). */
  invalidate(url: string, credential: Credential): Promise<void>;
}

interface NetrcTable {
  readonly machines: CredentialMatcher<BasicCredential>;
  readonly fallback: BasicCredential | undefined;
}

function toCredential(entry: NetrcEntry): BasicCredential | undefined {
  if (entry.login === undefined && entry.password === undefined) return undefined;
  return Object.freeze({ kind: "basic", username: entry.login ?? "", password: entry.password ?? "" });
}

/**
 * Parses netrc text into a lookup table. Machine names go through the same key rules as every
 * store (so `machine host:8443` and `machine *.example.com` work, an extension to netrc); the
 * first entry for a machine wins, as in curl. Pure; never throws.
 */
export function parseNetrcTable(text: string, useDefault = true): Parsed<NetrcTable> {
  const doc = parseNetrc(text);
  const problems: FileProblem[] = doc.problems.map((p) => ({
    problem: "syntax",
    message: p.message,
    line: p.line,
    column: p.column,
  }));
  const entries: MatcherEntry<BasicCredential>[] = [];
  for (const machine of doc.machines) {
    const parsed = parseKey(machine.machine ?? "");
    if (!parsed.ok) {
      problems.push({
        problem: "key",
        message: `invalid machine name: ${parsed.reason}`,
        line: machine.line,
      });
      continue;
    }
    const credential = toCredential(machine);
    if (credential !== undefined) entries.push({ key: parsed.key, value: credential });
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const fallback = useDefault && doc.default !== undefined ? toCredential(doc.default) : undefined;
  return { table: { machines: createMatcher(entries), fallback }, problems };
}

/**
 * A store over a netrc file: `machine` entries become basic credentials for that host, `default`
 * serves any other host (unless `useDefault: false`); `macdef` blocks and `#` comments are
 * skipped. Give a path, or `fromEnvironment: true` for `$NETRC` / `~/.netrc`.
 *
 * @example
 * const store = netrcStore({ fromEnvironment: true });
 */
export function netrcStore(
  pathOrOptions: string | NetrcStoreOptions,
  options: NetrcStoreOptions = {},
): NetrcStore {
  const opts: NetrcStoreOptions =
    typeof pathOrOptions === "string" ? { ...options, path: pathOrOptions } : (pathOrOptions ?? {});
  checkFileOptions("netrcStore", opts);
  let path = opts.path;
  if (path !== undefined && (typeof path !== "string" || path === "")) {
    throw new InvalidOptionsError("netrcStore: path must be a non-empty string");
  }
  if (path === undefined) {
    if (opts.fromEnvironment !== true) {
      throw new InvalidOptionsError(
        "netrcStore needs a path, or { fromEnvironment: true } to use $NETRC or ~/.netrc",
      );
    }
    const env = opts.env ?? process.env;
    const fromEnv = env.NETRC;
    path = fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(homedir(), ".netrc");
  }
  const absolute = resolve(path);
  const name = opts.name ?? "netrc";
  const useDefault = opts.useDefault ?? true;
  const file = new WatchedFile<NetrcTable>(
    name,
    absolute,
    (text) => parseNetrcTable(text, useDefault),
    { machines: createMatcher([]), fallback: undefined },
    opts,
  );
  const store: NetrcStore = {
    name,
    path: absolute,
    async get(url) {
      const table = await file.table();
      return table.machines.match(url)?.value ?? table.fallback;
    },
    revision: () => file.revision(),
    async invalidate() {
      file.expire();
    },
  };
  // Its machines as last read, while that read is current; a `default` entry answers any host.
  return declareKeys(store, () => {
    const table = file.loaded();
    if (table === undefined) return undefined;
    return table.fallback === undefined ? table.machines.keys : "any";
  });
}
