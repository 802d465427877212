import { Readable } from "node:stream";
import { InvalidOptionsError } from "@switchyard/core";
import { LRUCache } from "lru-cache";
import type { BodyWriter, CacheStore, StoredEntry } from "./cache-store.ts";
import { cacheChannels, publish } from "./events.ts";
import { createDigest, integrityOf } from "./integrity.ts";

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most bytes held (bodies plus metadata); the least recently used entries go first. A body larger
   * than this is streamed to the caller and not stored.
   * @default 67108864 (64 MiB): enough for tests and short-lived tools, small next to a process
   */
  readonly maxSize?: number;
}

interface Held {
  entry: StoredEntry;
  /** The whole body, one buffer, hashed as it was written. */
  data: Buffer;
}

/** The memory store's default bound, in bytes. */
export const DEFAULT_MEMORY_MAX_SIZE: number = 64 * 1024 * 1024;

/**
 * A cache store in memory, bounded by `maxSize` with LRU eviction: for tests and short-lived
 * processes. A body is hashed (sha256) as it is written and kept as one buffer that nothing but
 * this store holds until it is served; a hit hands it out without hashing it again (as the disk
 * store does with the small bodies it keeps in memory after checking them once).
 *
 * @example
 * const client = createClient({ middleware: [cache({ store: memoryStore({ maxSize: 8 << 20 }) })] });
 */
export function memoryStore(options: MemoryStoreOptions = {}): CacheStore {
  const maxSize = options.maxSize ?? DEFAULT_MEMORY_MAX_SIZE;
  if (!Number.isSafeInteger(maxSize) || maxSize < 1)
    throw new InvalidOptionsError(`memoryStore maxSize must be an integer >= 1, got ${String(maxSize)}`);
  const held = new LRUCache<string, Held>({
    maxSize,
    sizeCalculation: (v) => Math.max(1, v.entry.size + v.entry.metadata.length),
    dispose: (v, key, reason) => {
      if (reason === "evict") {
        publish(cacheChannels.evicted, () => ({ key, reason: "lru", size: v.entry.size, store: "memory" }));
      }
    },
  });

  return {
    name: "memory",
    get(key) {
      return Promise.resolve(held.get(key)?.entry);
    },
    writer(key) {
      return memoryWriter(key, maxSize, held);
    },
    read(entry) {
      const found = held.get(entry.key);
      if (found === undefined || found.entry.integrity !== entry.integrity)
        return Promise.reject(new Error("the body is no longer in the memory store"));
      // One chunk: a stream over many small ones costs a promise per chunk to every reader.
      return Promise.resolve(Readable.from([found.data], { objectMode: false }));
    },
    update(entry, metadata) {
      const found = held.get(entry.key);
      const next: StoredEntry = { ...entry, metadata };
      if (found !== undefined && found.entry.integrity === entry.integrity)
        held.set(entry.key, { entry: next, data: found.data });
      return Promise.resolve(next);
    },
    delete(key) {
      held.delete(key);
      return Promise.resolve();
    },
    close() {
      held.clear();
      return Promise.resolve();
    },
  };
}

function memoryWriter(key: string, maxSize: number, held: LRUCache<string, Held>): BodyWriter {
  const hash = createDigest();
  let chunks: Buffer[] | undefined = [];
  let size = 0;
  return {
    write(chunk) {
      size += chunk.length;
      hash.update(chunk);
      // Past the bound the body will not be kept: stop holding it now.
      if (chunks !== undefined && size <= maxSize) chunks.push(Buffer.from(chunk));
      else chunks = undefined;
      return true;
    },
    drain() {
      return Promise.resolve();
    },
    commit(metadata) {
      if (chunks === undefined) return Promise.resolve(undefined);
      const entry: StoredEntry = { key, integrity: integrityOf(hash), size, metadata };
      held.set(key, { entry, data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
      chunks = undefined;
      return Promise.resolve(held.has(key) ? entry : undefined);
    },
    abort() {
      chunks = undefined;
      return Promise.resolve();
    },
  };
}
