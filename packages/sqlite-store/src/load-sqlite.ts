import type * as Sqlite from "node:sqlite";

let loaded: typeof Sqlite | undefined;

/**
 * `node:sqlite`, loaded on first use. On Node 22 loading it prints an ExperimentalWarning; the
 * warning says nothing a user of this package can act on, so exactly that one warning is dropped
 * while the module loads (every other warning passes through untouched).
 */
export function loadSqlite(): typeof Sqlite {
  if (loaded !== undefined) return loaded;
  const emitWarning = process.emitWarning;
  process.emitWarning = function quiet(this: unknown, warning: string | Error, ...rest: unknown[]): void {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = typeof warning === "string" ? type : warning.name;
    if (name === "ExperimentalWarning" && /sqlite/i.test(text)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    loaded = process.getBuiltinModule("node:sqlite") as typeof Sqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
  return loaded;
}
