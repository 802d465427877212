import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** undici 7.15.0: the last commit whose repository carries the Node-only WPT harness and the tests. */
export const UNDICI_COMMIT = "b4019ee";

/** Where a bare clone of nodejs/undici is looked for when no checkout is named. */
export const DEFAULT_UNDICI_GIT = "/work/.mirror/nodejs+undici/repo";

/** The two parts of the undici tree the runner reads: the WPT server and the vendored tests. */
const NEEDED = ["test/wpt/server/server.mjs", "test/wpt/status/fetch.status.json", "test/fixtures/wpt/fetch"];

/** An undici tree at {@link UNDICI_COMMIT}, or why there is none. */
export type UndiciCheckout =
  | { readonly found: true; readonly dir: string; readonly source: string }
  | { readonly found: false; readonly reason: string };

function missingParts(dir: string): string[] {
  return NEEDED.filter((part) => !existsSync(join(dir, part)));
}

function git(gitDir: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync("git", ["--git-dir", gitDir, ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

/**
 * Extracts `test/wpt` and `test/fixtures/wpt` of {@link UNDICI_COMMIT} from a git directory into a
 * cache directory under the system temp dir (once; later runs reuse it). Nothing lands in this
 * repository: undici's code and the WPT files are read where they are, never copied here.
 */
function extract(gitDir: string): UndiciCheckout {
  const commit = git(gitDir, ["rev-parse", "--verify", `${UNDICI_COMMIT}^{commit}`]);
  if (!commit.ok) return { found: false, reason: `${gitDir} has no commit ${UNDICI_COMMIT}: ${commit.out}` };
  const dir = join(tmpdir(), `switchyard-undici-wpt-${commit.out}`);
  if (missingParts(dir).length === 0) return { found: true, dir, source: `${gitDir} @ ${commit.out}` };
  const partial = `${dir}.tmp-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const archive = spawnSync(
    "sh",
    ["-c", 'git --git-dir="$1" archive "$2" test/wpt test/fixtures/wpt | tar -x -C "$3"', "sh"].concat([
      gitDir,
      commit.out,
      partial,
    ]),
    { encoding: "utf8" },
  );
  if (archive.status !== 0 || missingParts(partial).length > 0) {
    rmSync(partial, { recursive: true, force: true });
    return { found: false, reason: `extracting ${UNDICI_COMMIT} from ${gitDir} failed: ${archive.stderr}` };
  }
  try {
    renameSync(partial, dir);
  } catch {
    // A concurrent run won the rename; its copy is as good as ours.
    rmSync(partial, { recursive: true, force: true });
  }
  return { found: true, dir, source: `${gitDir} @ ${commit.out}` };
}

/**
 * Finds undici's WPT harness: `SWITCHYARD_UNDICI_CHECKOUT` (a checkout or extract of
 * {@link UNDICI_COMMIT}), else `SWITCHYARD_UNDICI_GIT` or {@link DEFAULT_UNDICI_GIT} (a git directory
 * holding that commit), extracted on first use.
 */
export function locateUndiciCheckout(env: NodeJS.ProcessEnv = process.env): UndiciCheckout {
  const named = env.SWITCHYARD_UNDICI_CHECKOUT;
  if (named) {
    const missing = missingParts(named);
    if (missing.length > 0) {
      return { found: false, reason: `SWITCHYARD_UNDICI_CHECKOUT=${named} lacks ${missing.join(", ")}` };
    }
    return { found: true, dir: named, source: `SWITCHYARD_UNDICI_CHECKOUT=${named}` };
  }
  const gitDir = env.SWITCHYARD_UNDICI_GIT || DEFAULT_UNDICI_GIT;
  if (!existsSync(gitDir)) {
    return {
      found: false,
      reason:
        `no undici checkout: set SWITCHYARD_UNDICI_CHECKOUT to a checkout of nodejs/undici at ${UNDICI_COMMIT} ` +
        `(or SWITCHYARD_UNDICI_GIT to a clone holding it); ${gitDir} does not exist`,
    };
  }
  return extract(gitDir);
}
