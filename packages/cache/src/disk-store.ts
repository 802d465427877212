import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { finished, pipeline, Readable, Transform } from "node:stream";
import { InvalidOptionsError } from "@switchyard/core";
import cacache from "cacache";
import { LRUCache } from "lru-cache";
import type { RmEntry } from "./cacache-types.ts";
import type { BodyWriter, CacheStore, StoredEntry } from "./cache-store.ts";
import { evictLeastRecent } from "./disk-eviction.ts";
import { CacheIntegrityError } from "./errors.ts";
import { cacheChannels, publish } from "./events.ts";
import { createDigest, integrityOf, isIntegrity } from "./integrity.ts";

/** Options of {@link diskStore}. */
export interface DiskStoreOptions {
  /** The cache directory; created when missing. Several processes may share it. */
  readonly dir: string;
  /**
   * Most bytes of bodies kept; past it the least recently stored or used entries are removed until
   * 90 % of it is left. A body larger than this is streamed to the caller and not stored.
   * @default 2147483648 (2 GiB): holds a conda channel's repodata and a few large artifacts
   */
  readonly maxSize?: number;
  /**
   * Bodies up to this many bytes are read whole and checked before the first byte is served, so a
   * corrupt one becomes a miss. Larger ones are checked as they stream: a mismatch fails the
   * stream with `CacheIntegrityError` before its end (the caller never sees a clean end).
   * @default 1048576 (1 MiB): small enough to hold briefly, large enough for repodata shards
   */
  readonly verifyBeforeServe?: number;
  /**
   * Bytes of small bodies (up to 64 KiB each) kept in memory once read and checked, keyed by their
   * digest (content-addressed, so never stale): a hit on a small body then costs no file read. `0`
   * keeps none.
   * @default 8388608 (8 MiB): a few hundred repodata shards
   */
  readonly hotSize?: number;
}

/** The disk store's default bound, in bytes. */
export const DEFAULT_DISK_MAX_SIZE: number = 2 * 1024 * 1024 * 1024;
/** Bytes of small, already checked bodies the disk store keeps in memory, by default. */
export const DEFAULT_HOT_SIZE: number = 8 * 1024 * 1024;
const HOT_ENTRY_MAX = 64 * 1024;

/** Bodies up to this size are verified before serving, by default. */
export const DEFAULT_VERIFY_BEFORE_SERVE: number = 1024 * 1024;

// cacache's content layout (content-v2/<algorithm>/<hex 0-2>/<hex 2-4>/<rest>), so cacache reads,
// lists, verifies and garbage-collects what this store writes.
function contentPath(dir: string, integrity: string): string {
  const hex = Buffer.from(integrity.slice(integrity.indexOf("-") + 1), "base64").toString("hex");
  return join(
    dir,
    "content-v2",
    integrity.slice(0, integrity.indexOf("-")),
    hex.slice(0, 2),
    hex.slice(2, 4),
    hex.slice(4),
  );
}

/**
 * The default store: on disk, in npm's `cacache` format (content addressed by sha256, an
 * append-only index whose lines carry their own hash), safe for several processes sharing one
 * directory. Bodies are written to a temp file and renamed into place when complete, so an aborted
 * or failed write leaves nothing; every read is checked against the body's sha256.
 *
 * @example
 * const client = createClient({ middleware: [cache({ store: diskStore({ dir: ".cache/http" }) })] });
 */
export function diskStore(options: DiskStoreOptions): CacheStore {
  if (
    typeof options !== "object" ||
    options === null ||
    typeof options.dir !== "string" ||
    options.dir === ""
  )
    throw new InvalidOptionsError("diskStore needs { dir }: the cache directory");
  const dir = resolve(options.dir);
  const maxSize = options.maxSize ?? DEFAULT_DISK_MAX_SIZE;
  if (!Number.isSafeInteger(maxSize) || maxSize < 1)
    throw new InvalidOptionsError(`diskStore maxSize must be an integer >= 1, got ${String(maxSize)}`);
  const verifyBeforeServe = options.verifyBeforeServe ?? DEFAULT_VERIFY_BEFORE_SERVE;
  if (!Number.isSafeInteger(verifyBeforeServe) || verifyBeforeServe < 0)
    throw new InvalidOptionsError(
      `diskStore verifyBeforeServe must be an integer >= 0, got ${String(verifyBeforeServe)}`,
    );
  const hotSize = options.hotSize ?? DEFAULT_HOT_SIZE;
  if (!Number.isSafeInteger(hotSize) || hotSize < 0)
    throw new InvalidOptionsError(`diskStore hotSize must be an integer >= 0, got ${String(hotSize)}`);
  const hot =
    hotSize === 0
      ? undefined
      : new LRUCache<string, Buffer>({ maxSize: hotSize, sizeCalculation: (b) => Math.max(1, b.length) });
  try {
    mkdirSync(join(dir, "tmp"), { recursive: true });
  } catch (cause) {
    throw new InvalidOptionsError(`diskStore cannot create its directory: ${(cause as Error).message}`, {
      cause,
    });
  }

  // Bytes stored, as this process knows them: counted once from the index, then kept up to date.
  // Eviction passes run one after another, in the background of the writes that call for them.
  let estimate: number | undefined;
  let housekeeping: Promise<void> = Promise.resolve();
  const account = async (added: number): Promise<void> => {
    if (estimate === undefined) {
      const all = await cacache.ls(dir);
      estimate = Object.values(all).reduce((sum, e) => sum + (e.size ?? 0), 0);
    } else estimate += added;
    if (estimate <= maxSize) return;
    estimate = await evictLeastRecent(dir, Math.floor(maxSize * 0.9), (key, size) =>
      publish(cacheChannels.evicted, () => ({ key, reason: "lru", size, store: "disk" })),
    );
  };

  const remove = async (key: string, integrity?: string): Promise<void> => {
    if (integrity !== undefined) hot?.delete(integrity);
    await (cacache.rm.entry as RmEntry)(dir, key, { removeFully: true });
    // Content may be shared by another key with the same body: that key then reads a missing
    // file, which the cache treats as a miss.
    if (integrity !== undefined) await rm(contentPath(dir, integrity), { force: true });
  };

  // Removed before the read fails, so a refill that follows cannot race the removal.
  const corrupt = async (entry: StoredEntry, detail: string): Promise<CacheIntegrityError> => {
    await remove(entry.key, entry.integrity).catch(() => {});
    publish(cacheChannels.evicted, () => ({
      key: entry.key,
      reason: "corrupt",
      size: entry.size,
      store: "disk",
    }));
    return new CacheIntegrityError(detail);
  };

  return {
    name: "disk",
    async get(key) {
      const info = await cacache.get.info(dir, key);
      if (info === null || typeof info.metadata !== "string" || !isIntegrity(info.integrity))
        return undefined;
      if (typeof info.size !== "number") return undefined;
      return { key, integrity: info.integrity, size: info.size, metadata: info.metadata };
    },
    writer(key) {
      return diskWriter(dir, key, maxSize, (size) => {
        housekeeping = housekeeping
          .then(() => account(size))
          .catch((error: unknown) =>
            publish(cacheChannels.error, () => ({ operation: "evict", store: "disk", error })),
          );
      });
    },
    async read(entry) {
      const remembered = hot?.get(entry.integrity);
      if (remembered !== undefined) return Readable.from([remembered], { objectMode: false });
      if (entry.size <= verifyBeforeServe) {
        let data: Buffer;
        try {
          data = await cacache.get.byDigest(dir, entry.integrity, { size: entry.size });
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === "EINTEGRITY" || code === "EBADSIZE") throw await corrupt(entry, code);
          throw error;
        }
        if (hot !== undefined && data.length <= HOT_ENTRY_MAX) hot.set(entry.integrity, data);
        return Readable.from([data], { objectMode: false });
      }
      const path = contentPath(dir, entry.integrity);
      const stats = await stat(path);
      if (stats.size !== entry.size) throw await corrupt(entry, "size mismatch");
      return verifyingStream(createReadStream(path), entry, () => corrupt(entry, "sha256 mismatch"));
    },
    async update(entry, metadata) {
      await cacache.index.insert(dir, entry.key, entry.integrity, { size: entry.size, metadata });
      await compactKey(dir, entry.key);
      return { ...entry, metadata };
    },
    async delete(key) {
      const info = await cacache.get.info(dir, key).catch(() => null);
      await remove(key, info?.integrity);
    },
    close() {
      return housekeeping;
    },
  };
}

// cacache's index is append-only: each refill or 304 adds a line that every look-up then parses.
// Keep only the newest line of a key (rewritten atomically through a temp file).
function compactKey(dir: string, key: string): Promise<unknown> {
  return cacache.index.compact(dir, key, () => true);
}

function verifyingStream(source: Readable, entry: StoredEntry, onCorrupt: () => Promise<Error>): Readable {
  const hash = createDigest();
  let size = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      if (size !== entry.size || integrityOf(hash) !== entry.integrity) void onCorrupt().then(callback);
      else callback();
    },
  });
  pipeline(source, check, () => {});
  return check;
}

function diskWriter(dir: string, key: string, maxSize: number, onStored: (size: number) => void): BodyWriter {
  const tmp = join(dir, "tmp", `switchyard-${randomUUID()}`);
  const out = createWriteStream(tmp, { flags: "wx" });
  const hash = createDigest();
  let size = 0;
  let failed = false;
  out.on("error", () => {
    failed = true;
  });
  const discard = async (): Promise<void> => {
    failed = true;
    // The file may still be opening: remove it only once the stream has closed, or it appears after.
    if (!out.closed) {
      const closed = new Promise<void>((resolve) => out.once("close", () => resolve()));
      out.destroy();
      await closed;
    }
    await rm(tmp, { force: true }).catch(() => {});
  };
  return {
    write(chunk) {
      if (failed) return true;
      size += chunk.length;
      if (size > maxSize) {
        void discard();
        return true;
      }
      hash.update(chunk);
      return out.write(chunk);
    },
    drain() {
      if (failed || !out.writableNeedDrain) return Promise.resolve();
      return new Promise((done) => {
        const settle = (): void => {
          out.off("drain", settle);
          out.off("close", settle);
          done();
        };
        out.on("drain", settle);
        out.on("close", settle);
      });
    },
    async commit(metadata) {
      if (failed) {
        await discard();
        return undefined;
      }
      out.end();
      const ok = await new Promise<boolean>((done) => finished(out, (error) => done(error == null)));
      if (!ok || failed) {
        await discard();
        return undefined;
      }
      const integrity = integrityOf(hash);
      const target = contentPath(dir, integrity);
      try {
        await mkdir(dirname(target), { recursive: true });
        // Atomic on one filesystem: readers see the whole body or none; same digest, same bytes.
        await rename(tmp, target);
        await cacache.index.insert(dir, key, integrity, { size, metadata });
        await compactKey(dir, key);
      } catch (error) {
        await rm(tmp, { force: true }).catch(() => {});
        throw error;
      }
      onStored(size);
      return { key, integrity, size, metadata };
    },
    abort: discard,
  };
}
