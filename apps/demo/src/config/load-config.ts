import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import { type ConfigProblem, type DemoConfig, validateConfig } from "./config-schema.ts";

/** A config that could not be read, parsed or validated; every problem names its field. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly file: string | undefined;
  readonly problems: readonly string[];
  constructor(file: string | undefined, problems: readonly string[]) {
    const where = file ?? "config";
    super(
      problems.length === 1
        ? `${where}: ${problems[0]}`
        : `${where}: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.file = file;
    this.problems = problems;
  }
}

/** `plugins.retry.maxRetries`, `plugins.auth.credentials["api.example.com"].token`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out || "(top level)";
}

/** A config loaded from a file, with the directory its relative paths are resolved against. */
export interface LoadedConfig {
  readonly config: DemoConfig;
  readonly file: string | undefined;
  /** Resolves a path written in the config: `~/` is the home directory, relative is from the file. */
  resolvePath(path: string): string;
}

/** Changes to the parsed data before validation (settings given as command-line flags). */
export type ConfigOverlay = (data: Record<string, unknown>) => void;

/**
 * Parses YAML or JSON text (JSON is read by the YAML parser too, for positions in errors), applies
 * `overlay`, and validates the result.
 */
export function parseConfigText(text: string, file?: string, overlay?: ConfigOverlay): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return `${pos.line}:${pos.col}: ${e.message.split("\n")[0]}`;
      }),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, ["the config must be a mapping (plugins:, client:)"]);
  }
  overlay?.(raw as Record<string, unknown>);
  const result = validateConfig(raw);
  if (!result.ok) {
    throw new ConfigError(
      file,
      result.problems.map((p: ConfigProblem) => {
        // An unknown field is shown at its key; a missing one at the closest parent that exists.
        let at: { line: number; col: number } | undefined;
        if (p.message === "unknown field") {
          const parent = p.path.length > 1 ? doc.getIn(p.path.slice(0, -1), true) : doc.contents;
          const key = isMap(parent)
            ? parent.items.find((pair) => isScalar(pair.key) && pair.key.value === p.path.at(-1))?.key
            : undefined;
          if (isNode(key) && key.range) at = lineCounter.linePos(key.range[0]);
        }
        for (let n = p.path.length; n > 0 && at === undefined; n--) {
          const node = doc.getIn(p.path.slice(0, n), true);
          if (isNode(node) && node.range) at = lineCounter.linePos(node.range[0]);
        }
        const position = at ? `${at.line}:${at.col}: ` : "";
        return `${position}${formatPath(p.path)}: ${p.message}`;
      }),
    );
  }
  const base = file ? dirname(resolve(file)) : process.cwd();
  return {
    config: result.config,
    file,
    resolvePath: (path) => (path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : resolve(base, path)),
  };
}

/** Reads and validates a config file (`.json`, `.yaml`, `.yml`). */
export async function loadConfig(file: string, overlay?: ConfigOverlay): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file (${(error as NodeJS.ErrnoException).code ?? error})`]);
  }
  return parseConfigText(text, file, overlay);
}
