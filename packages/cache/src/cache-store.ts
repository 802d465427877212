import type { Readable } from "node:stream";

/** One stored response as a store keeps it: its key, body digest and size, and the cache's metadata. */
export interface StoredEntry {
  readonly key: string;
  /** The body's digest as Subresource Integrity: `sha256-<base64>`. */
  readonly integrity: string;
  /** The body's length in bytes. */
  readonly size: number;
  /** What the cache records beside the body (policy, status, URL, Vary), opaque to the store. */
  readonly metadata: string;
}

/**
 * Writes one body into a store as it streams past. Nothing is visible to readers until
 * {@link BodyWriter.commit}; {@link BodyWriter.abort} leaves nothing behind.
 */
export interface BodyWriter {
  /** Writes a chunk; `false` asks the caller to wait for {@link BodyWriter.drain} before the next. */
  write(chunk: Uint8Array): boolean;
  /** Resolves when the writer takes more. */
  drain(): Promise<void>;
  /**
   * Makes the body and `metadata` visible at once (atomically). Resolves with the stored entry, or
   * undefined when the store declined it (larger than the store's bound).
   */
  commit(metadata: string): Promise<StoredEntry | undefined>;
  /** Gives up: temporary data is removed and nothing becomes visible. Never rejects. */
  abort(): Promise<void>;
}

/**
 * Where the cache keeps responses: the disk store by default, the memory store for tests and
 * short-lived processes, or your own. Every read is integrity-checked: a body that does not match
 * its digest is never served (the store evicts the entry and fails the read with
 * `CacheIntegrityError`).
 */
export interface CacheStore {
  /** A short name for events and errors (`"disk"`, `"memory"`). */
  readonly name: string;
  /** The entry stored at `key`, if any. */
  get(key: string): Promise<StoredEntry | undefined>;
  /** Starts writing a new body for `key`. */
  writer(key: string): BodyWriter;
  /**
   * The body of `entry`, checked against its digest: a store rejects with `CacheIntegrityError`
   * when it finds corruption before the first byte, and otherwise fails the stream with it before
   * its end. Rejects with any error when the body is gone (the cache then treats it as a miss).
   */
  read(entry: StoredEntry): Promise<Readable>;
  /** Replaces the metadata of `entry` (a 304 refreshed it), keeping its body. */
  update(entry: StoredEntry, metadata: string): Promise<StoredEntry>;
  /** Removes the entry at `key` (no error when there is none). */
  delete(key: string): Promise<void>;
  /** Releases what the store holds open. */
  close(): Promise<void>;
}
