import { type ParseArgsConfig, parseArgs } from "node:util";
import { usageError } from "./exit-codes.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `util.parseArgs` in strict mode, whose errors become usage errors (exit code 2). */
export function parseCommandArgs<T extends Options>(args: readonly string[], options: T, command?: string) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message, command);
  }
}

/** Parses a whole number flag, with its name in the error. */
export function intFlag(name: string, value: string | undefined, min: number, max: number, command?: string) {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw usageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`, command);
  const n = Number(value);
  if (n < min || n > max) throw usageError(`--${name} must be between ${min} and ${max}, got ${n}`, command);
  return n;
}
