import type { StateStore } from "@switchyard/core";

/**
 * What a store's test hands the conformance suite: handles onto one fresh, empty backing (a new
 * database file, a new key prefix on a running server), and optionally how to reach it from other
 * processes and how to make it hang or crash.
 */
export interface StateStoreTarget {
  /**
   * Opens a new handle with its own connection onto this target's backing. Two handles see each
   * other's writes and changes, like two processes would.
   */
  open(): Promise<StateStore>;
  /**
   * How a child process opens a handle onto the same backing: `module` is a file path or URL of an
   * ES module exporting `openStateStore(spec)`, and `spec` is a JSON value passed to it. Without
   * it the multi-process checks are skipped (the memory store lives in one process).
   */
  readonly worker?: { readonly module: string; readonly spec: unknown };
  /** Makes the store unreachable and back, for the store-down checks (each is optional). */
  readonly outage?: StateStoreOutage;
  /** Removes the backing (temp files, keys). Called after each check. */
  cleanup?(): Promise<void>;
}

/** Ways to take a store down and bring it back. */
export interface StateStoreOutage {
  /** The store stops answering but keeps connections open (SIGSTOP, a held lock). */
  hang?(): Promise<void>;
  /** Undoes {@link StateStoreOutage.hang} (SIGCONT, the lock released). */
  resume?(): Promise<void>;
  /** The store dies (SIGKILL). */
  crash?(): Promise<void>;
  /** A store that crashed starts again on the same address. */
  restart?(): Promise<void>;
}

/** Creates a fresh target for one check. */
export type StateStoreTargetFactory = () => Promise<StateStoreTarget>;
