import type { Credential } from "@switchyard/core";
import { parseKey } from "../credential-key.ts";
import type { CredentialMatcher, MatcherEntry } from "../credential-matcher.ts";
import { createMatcher } from "../credential-matcher.ts";
import type { FileProblem, Parsed } from "../stores/watched-file.ts";
import { parseJsonDocument } from "./json-document.ts";
import { decodeRattlerValue } from "./rattler-format.ts";

/**
 * Parses rattler's `credentials.json`: one object whose keys are hosts, `host/path` prefixes or
 * `*.domain` wildcards and whose values are rattler credentials. Pure; never throws. A bad entry
 * is a problem at the line of its key; the good entries are still returned (lenient mode uses
 * them).
 */
export function parseCredentialsJson(text: string): Parsed<CredentialMatcher<Credential>> {
  const problems: FileProblem[] = [];
  if (text.trim() === "") return { table: createMatcher([]), problems };
  const doc = parseJsonDocument(text);
  if (!doc.ok) {
    return {
      table: createMatcher([]),
      problems: [
        { problem: "syntax", message: `invalid JSON: ${doc.message}`, line: doc.line, column: doc.column },
      ],
    };
  }
  const root = doc.value;
  if (typeof root !== "object" || root === null || Array.isArray(root)) {
    return {
      table: createMatcher([]),
      problems: [
        { problem: "value", message: "the file must hold one JSON object (key -> credential)", line: 1 },
      ],
    };
  }
  const entries: MatcherEntry<Credential>[] = [];
  const seen = new Map<string, number>();
  for (const position of doc.keys) {
    const where = { line: position.line, column: position.column };
    const parsed = parseKey(position.key);
    if (!parsed.ok) {
      problems.push({ problem: "key", message: `invalid key: ${parsed.reason}`, ...where });
      continue;
    }
    const earlier = seen.get(parsed.key.text);
    if (earlier !== undefined) {
      problems.push({
        problem: "duplicate",
        message: `the key ${parsed.key.text} is also given at line ${earlier}`,
        ...where,
      });
      continue;
    }
    seen.set(parsed.key.text, position.line);
    const decoded = decodeRattlerValue((root as Record<string, unknown>)[position.key]);
    if (!decoded.ok) {
      problems.push({ problem: decoded.problem, message: `${parsed.key.text}: ${decoded.reason}`, ...where });
      continue;
    }
    entries.push({ key: parsed.key, value: Object.freeze(decoded.credential) });
  }
  return { table: createMatcher(entries), problems };
}
