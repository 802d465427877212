import { readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** One page of the suite: a `.any.js` file under `fetch/`, possibly with a `?variant`. */
export interface WptPage {
  /** `/fetch/api/basic/status.any.js` plus `?variant` when the file declares variants. */
  readonly id: string;
  /** The test file's text, with `{{host}}`-style substitutions applied for `.sub.` files. */
  readonly code: string;
  /** The META scripts' texts, in order. */
  readonly scripts: readonly string[];
  /** The page's path on the WPT server, `/fetch/api/basic/status.any.js`. */
  readonly path: string;
  /** `?variant` or "". */
  readonly variant: string;
  /** `META: timeout=long`. */
  readonly long: boolean;
}

/** The suite as the runner will run it, and what undici's status file makes it leave out. */
export interface WptPlan {
  readonly pages: readonly WptPage[];
  /** Files or folders undici's status file skips, each with undici's note. */
  readonly skipped: readonly { readonly path: string; readonly note: string }[];
  /**
   * Pages that never call `fetch()` (in the file or its META scripts): they test Request, Response
   * and Headers, which are Node's own classes in both runs, so they cannot tell the two apart.
   */
  readonly withoutFetch: readonly string[];
}

const CALLS_FETCH = /\bfetch\s*\(/;

interface Meta {
  timeout: string | null;
  scripts: string[];
  variant: string[];
}
interface UndiciWptUtil {
  parseMeta(code: string): Meta;
  handlePipes(code: string, url: string): string;
}
interface StatusNode {
  readonly skip?: boolean;
  readonly note?: string;
  readonly [key: string]: unknown;
}

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.name.endsWith(".any.js")) out.push(full);
  }
  return out;
}

/** The status file's `skip` for `rel` (path under `fetch/`), looking at each folder on the way. */
function skipNote(status: StatusNode, rel: string, alsoRun: readonly string[]): string | undefined {
  let node: StatusNode | undefined = status;
  const parts = rel.split("/");
  for (let i = 0; i < parts.length && node; i++) {
    node = node[parts[i] as string] as StatusNode | undefined;
    const here = parts.slice(0, i + 1).join("/");
    if (node?.skip && !alsoRun.includes(here)) return node.note ?? "skipped by undici";
  }
  return undefined;
}

/**
 * Lists the fetch pages of an undici checkout, with META scripts resolved and WPT substitutions
 * applied through the checkout's own helpers (`test/wpt/runner/util.mjs`).
 */
export async function planWpt(
  checkout: string,
  serverUrl: string,
  alsoRun: readonly string[],
): Promise<WptPlan> {
  const util = (await import(
    pathToFileURL(join(checkout, "test/wpt/runner/util.mjs")).href
  )) as UndiciWptUtil;
  const root = join(checkout, "test/fixtures/wpt");
  const status = JSON.parse(
    readFileSync(join(checkout, "test/wpt/status/fetch.status.json"), "utf8"),
  ) as StatusNode;
  const pages: WptPage[] = [];
  const withoutFetch: string[] = [];
  const skipped = new Map<string, string>();
  for (const file of walk(join(root, "fetch"), []).sort()) {
    const rel = relative(join(root, "fetch"), file).split("\\").join("/");
    const note = skipNote(status, rel, alsoRun);
    if (note !== undefined) {
      skipped.set(rel, note);
      continue;
    }
    const raw = readFileSync(file, "utf8");
    const code = file.includes(".sub.") ? util.handlePipes(raw, serverUrl) : raw;
    const meta = util.parseMeta(code);
    const scripts = meta.scripts.map((script) => {
      const at =
        script === "/resources/WebIDLParser.js"
          ? join(root, "resources/webidl2/lib/webidl2.js")
          : isAbsolute(script)
            ? join(root, script)
            : resolve(dirname(file), script);
      const text = readFileSync(at, "utf8");
      return script.includes(".sub.") ? util.handlePipes(text, serverUrl) : text;
    });
    const path = `/fetch/${rel}`;
    if (!CALLS_FETCH.test(code) && !scripts.some((script) => CALLS_FETCH.test(script))) {
      withoutFetch.push(path);
      continue;
    }
    for (const variant of meta.variant.length > 0 ? meta.variant : [""]) {
      pages.push({ id: path + variant, code, scripts, path, variant, long: meta.timeout === "long" });
    }
  }
  return { pages, skipped: [...skipped].map(([path, note]) => ({ path, note })), withoutFetch };
}
