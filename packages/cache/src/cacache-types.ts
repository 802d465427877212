/**
 * cacache's `rm.entry` as it is (21.x): its third argument `{ removeFully }` deletes the key's
 * bucket file instead of appending a tombstone, which @types/cacache 20 does not declare.
 */
export type RmEntry = (cache: string, key: string, options?: { removeFully?: boolean }) => Promise<unknown>;
