import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trackDir, untrackDir } from "./exit-cleanup.ts";

/** A private temp directory holding all state of one peer; removed by `remove()` or at process exit. */
export interface PeerTempDir {
  /** Absolute path of the directory. */
  readonly path: string;
  /** Removes the directory and everything in it. Safe to call twice. */
  remove(): Promise<void>;
}

/** Creates a fresh temp directory named after the peer kind (`sy-<kind>-XXXXXX`). */
export async function createPeerTempDir(kind: string): Promise<PeerTempDir> {
  const path = await mkdtemp(join(tmpdir(), `sy-${kind}-`));
  trackDir(path);
  return {
    path,
    async remove() {
      await rm(path, { recursive: true, force: true, maxRetries: 3 });
      untrackDir(path);
    },
  };
}
