import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { Credential } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";
import { parseKey } from "../credential-key.ts";
import type { CredentialMatcher } from "../credential-matcher.ts";
import { createMatcher } from "../credential-matcher.ts";
import { CredentialFileError } from "../errors.ts";
import { parseCredentialsJson } from "../formats/credentials-json.ts";
import { parseJsonDocument } from "../formats/json-document.ts";
import { encodeRattlerValue, unencodableReason } from "../formats/rattler-format.ts";
import { credentialProblem } from "../validate-credential.ts";
import type { AuthStore } from "./auth-store.ts";
import { declareKeys } from "./store-scope.ts";
import type { WatchedFileOptions } from "./watched-file.ts";
import { WatchedFile } from "./watched-file.ts";

/** Options of {@link fileStore}. */
export interface FileStoreOptions extends WatchedFileOptions {
  /** The store's name in events and errors. @default "file" */
  readonly name?: string;
}

/** A store over a rattler-format `credentials.json` that can also write it. */
export interface FileStore extends AuthStore {
  /** Changes whenever the store's data changes. */
  revision(): number | Promise<number>;
  /** The absolute path of the file. */
  readonly path: string;
  /**
   * Adds or replaces the credential for `key` and writes the file atomically (temporary file in
   * the same directory, then rename). Other entries, unknown kinds and unknown fields are kept.
   */
  set(key: string, credential: Credential): Promise<void>;
  /** Removes `key` (compared after normalisation) and writes the file; tells whether it was there. */
  delete(key: string): Promise<boolean>;
  /** The normalised keys of the entries read from the file. */
  keys(): Promise<string[]>;
  /** The store re-reads the file on the next lookup (also called after a 401). */
  invalidate(url: string, credential: Credential): Promise<void>;
}

/** Validates the options shared by the file-backed stores; throws InvalidOptionsError. */
export function checkFileOptions(where: string, options: WatchedFileOptions & { name?: string }): void {
  if (options.name !== undefined && (typeof options.name !== "string" || options.name === "")) {
    throw new InvalidOptionsError(`${where}: name must be a non-empty string`);
  }
  const interval = options.recheckInterval;
  if (interval !== undefined && (!Number.isFinite(interval) || interval < 0)) {
    throw new InvalidOptionsError(`${where}: recheckInterval must be a number of milliseconds >= 0`);
  }
  const max = options.maxBytes;
  if (max !== undefined && (!Number.isInteger(max) || max <= 0)) {
    throw new InvalidOptionsError(`${where}: maxBytes must be a positive integer`);
  }
}

/**
 * A store over rattler's `credentials.json` (the file `RATTLER_AUTH_FILE` points at). Reads are
 * cached and re-validated with a `stat` at most once per `recheckInterval`; a missing file is
 * empty unless `required`. Malformed content (bad JSON, an unknown credential kind, a bad value or
 * key) fails every lookup with a `CredentialFileError` naming the file and line, or, with
 * `lenient`, is reported as a `switchyard:auth:file-problem` event and skipped.
 *
 * @example
 * const store = fileStore(join(homedir(), ".rattler", "credentials.json"));
 * await store.set("*.prefix.dev", { kind: "bearer", token });
 */
export function fileStore(path: string, options: FileStoreOptions = {}): FileStore {
  if (typeof path !== "string" || path === "") throw new InvalidOptionsError("fileStore needs a file path");
  checkFileOptions("fileStore", options);
  const absolute = resolve(path);
  const name = options.name ?? "file";
  const file = new WatchedFile<CredentialMatcher<Credential>>(
    name,
    absolute,
    parseCredentialsJson,
    createMatcher([]),
    options,
  );
  let writing: Promise<unknown> = Promise.resolve();

  // Writes are serialised in this process; the rename makes each one atomic for readers.
  const update = <R>(change: (root: Record<string, unknown>) => R | typeof UNCHANGED): Promise<R> => {
    const run = writing.then(async () => {
      const root = await readRoot(absolute);
      const result = change(root);
      if (result === UNCHANGED) return false as R;
      await writeAtomic(absolute, `${JSON.stringify(root, null, 2)}\n`);
      file.expire();
      return result;
    });
    writing = run.catch(() => undefined);
    return run;
  };

  const store: FileStore = {
    name,
    path: absolute,
    async get(url) {
      return (await file.table()).match(url)?.value;
    },
    revision: () => file.revision(),
    async invalidate() {
      file.expire();
    },
    async keys() {
      return (await file.table()).keys.map((key) => key.text);
    },
    set(key, credential) {
      const parsed = parseKey(key);
      if (!parsed.ok) return Promise.reject(new InvalidOptionsError(`fileStore.set: ${parsed.reason}`));
      const problem = credentialProblem(credential) ?? unencodableReason(credential);
      if (problem !== undefined) {
        return Promise.reject(new InvalidOptionsError(`fileStore.set (${parsed.key.text}): ${problem}`));
      }
      const value = encodeRattlerValue(credential);
      return update((root) => {
        const existing = Object.keys(root).find((raw) => {
          const p = parseKey(raw);
          return p.ok && p.key.text === parsed.key.text;
        });
        root[existing ?? parsed.key.text] = keepUnknownFields(
          existing === undefined ? undefined : root[existing],
          value,
        );
      });
    },
    delete(key) {
      const parsed = parseKey(key);
      if (!parsed.ok) return Promise.resolve(false);
      return update((root) => {
        let removed = false;
        for (const raw of Object.keys(root)) {
          const p = parseKey(raw);
          if (p.ok && p.key.text === parsed.key.text) {
            delete root[raw];
            removed = true;
          }
        }
        return removed ? true : UNCHANGED;
      });
    },
  };
  // Its keys as last read, while that read is current (unknown before the first lookup).
  return declareKeys(store, () => file.loaded()?.keys);
}

const UNCHANGED: unique symbol = Symbol("unchanged");

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The new entry, keeping what the old one held that this package does not know: fields inside a
 * credential of the same kind (`OAuth`'s `refresh_token`, `token_type`..., a tool's own notes in
 * `BasicHTTP` or `S3Credentials`). A change of kind replaces the entry whole: the old kind's fields
 * mean nothing to the new one.
 */
function keepUnknownFields(old: unknown, value: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(old)) return value;
  const [kind] = Object.keys(value);
  if (kind === undefined || !(kind in old)) return value;
  const before = old[kind];
  const after = value[kind];
  if (!isObject(before) || !isObject(after)) return value;
  return { [kind]: { ...before, ...after } };
}

async function readRoot(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT") return {};
    throw new CredentialFileError(path, "io", `cannot read the file (${String(code)})`, { cause: error });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") return {};
  const doc = parseJsonDocument(text);
  if (!doc.ok) {
    // Never overwrite a file we cannot read back: that would lose the user's other entries.
    throw new CredentialFileError(path, "syntax", `invalid JSON: ${doc.message}; not writing over it`, {
      line: doc.line,
      column: doc.column,
    });
  }
  if (typeof doc.value !== "object" || doc.value === null || Array.isArray(doc.value)) {
    throw new CredentialFileError(path, "value", "the file must hold one JSON object; not writing over it", {
      line: 1,
    });
  }
  return doc.value as Record<string, unknown>;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let mode = 0o600;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch {
    // A new file: owner read/write only, as it holds secrets.
  }
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(temp, "wx", mode);
    await handle.writeFile(text, "utf8");
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    const code = (error as { code?: unknown }).code;
    throw new CredentialFileError(path, "io", `cannot write the file (${String(code ?? "unknown")})`, {
      cause: error,
    });
  }
}
