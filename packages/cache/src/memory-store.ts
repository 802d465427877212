import { Readable } from "node:stream";
import { InvalidOptionsError } from "@switchyard/core";
import { LRUCache } from "lru-cache";
import type { BodyWriter, CacheStore, StoredEntry } from "./cache-store.ts";
import { CacheIntegrityError } from "./errors.ts";
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
  chunks: readonly Buffer[];
}

/** The memory store's default bound, in bytes. */
export const DEFAULT_MEMORY_MAX_SIZE: number = 64 * 1024 * 1024;

/**
 * A cache store in memory, bounded by `maxSize` with LRU eviction: for tests and short-lived
 * processes. Bodies are checked against their sha256 on every read, like the disk store's.
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
      const hash = createDigest();
      let size = 0;
      for (const chunk of found.chunks) {
        hash.update(chunk);
        size += chunk.length;
      }
      if (size !== entry.size || integrityOf(hash) !== entry.integrity) {
        held.delete(entry.key);
        publish(cacheChannels.evicted, () => ({ key: entry.key, reason: "corrupt", size, store: "memory" }));
        return Promise.reject(new CacheIntegrityError("sha256 or size mismatch in the memory store"));
      }
      return Promise.resolve(Readable.from(found.chunks, { objectMode: false }));
    },
    update(entry, metadata) {
      const found = held.get(entry.key);
      const next: StoredEntry = { ...entry, metadata };
      if (found !== undefined && found.entry.integrity === entry.integrity)
        held.set(entry.key, { entry: next, chunks: found.chunks });
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
      held.set(key, { entry, chunks });
      chunks = undefined;
      return Promise.resolve(held.has(key) ? entry : undefined);
    },
    abort() {
      chunks = undefined;
      return Promise.resolve();
    },
  };
}
