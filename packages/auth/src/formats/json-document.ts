/**
 * JSON with positions: validates JSON text (RFC 8259, exactly what `JSON.parse` accepts) without
 * recursion, records where each top-level key sits, and reports the first syntax error by line
 * and column. Needed because `JSON.parse`'s own messages quote the text (which may hold a secret)
 * and give no line for a key whose value is wrong.
 */

/** Where a top-level key sits. */
export interface KeyPosition {
  readonly key: string;
  readonly line: number;
  readonly column: number;
}

/** What `parseJsonDocument` returns. */
export type JsonDocument =
  | {
      readonly ok: true;
      readonly value: unknown;
      /** Top-level keys in order (only when the document is an object), duplicates included. */
      readonly keys: readonly KeyPosition[];
    }
  | { readonly ok: false; readonly line: number; readonly column: number; readonly message: string };

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

interface Frame {
  readonly kind: "object" | "array";
  /** What the frame expects next. */
  state: "first" | "key" | "colon" | "value" | "comma";
}

/** Parses JSON text, recording the positions of top-level keys. Never throws. */
export function parseJsonDocument(text: string): JsonDocument {
  let pos = 0;
  const n = text.length;
  const keys: KeyPosition[] = [];
  const stack: Frame[] = [];

  let lineStarts: number[] | undefined;
  const locate = (at: number): { line: number; column: number } => {
    if (lineStarts === undefined) {
      lineStarts = [0];
      for (let i = 0; i < n; i++) if (text.charCodeAt(i) === 0x0a) lineStarts.push(i + 1);
    }
    // Binary search for the last line start <= at.
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - lineStarts[lo]! + 1 };
  };
  const fail = (at: number, message: string): JsonDocument => ({ ok: false, ...locate(at), message });
  const skipWs = () => {
    while (pos < n && WS.has(text.charCodeAt(pos))) pos++;
  };

  // Scans a string starting at `pos` (a quote); returns its end (after the closing quote) or an error.
  const scanString = (): number | JsonDocument => {
    const start = pos;
    pos++;
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) return ++pos;
      if (c < 0x20) return fail(pos, "control character in a string");
      if (c === 0x5c) {
        const e = text[pos + 1];
        if (e === undefined) break;
        if ('"\\/bfnrt'.includes(e)) pos += 2;
        else if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) return fail(pos, "invalid \\u escape");
          pos += 6;
        } else return fail(pos, "invalid escape in a string");
      } else pos++;
    }
    return fail(start, "unterminated string");
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  // Scans one scalar or opens a container at `pos`; returns an error or undefined.
  const scanValue = (): JsonDocument | undefined => {
    const c = text[pos];
    if (c === "{") {
      stack.push({ kind: "object", state: "first" });
      pos++;
      return undefined;
    }
    if (c === "[") {
      stack.push({ kind: "array", state: "first" });
      pos++;
      return undefined;
    }
    if (c === '"') {
      const r = scanString();
      return typeof r === "number" ? undefined : r;
    }
    for (const literal of ["true", "false", "null"]) {
      if (text.startsWith(literal, pos)) {
        pos += literal.length;
        return undefined;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m !== null && m[0] !== "" && m[0] !== "-") {
      pos += m[0].length;
      return undefined;
    }
    return fail(pos, pos >= n ? "unexpected end of the document" : "unexpected character");
  };

  skipWs();
  if (pos >= n) return fail(pos, "the document is empty");
  let top = scanValue();
  if (top) return top;
  // `n` bounds the loop: every iteration consumes at least one character or pops a frame.
  for (let guard = 0; stack.length > 0 && guard <= 2 * n + 2; guard++) {
    const frame = stack[stack.length - 1]!;
    skipWs();
    if (pos >= n) return fail(pos, "unexpected end of the document");
    const c = text[pos];
    if (frame.kind === "array") {
      if ((frame.state === "first" || frame.state === "comma") && c === "]") {
        stack.pop();
        pos++;
        continue;
      }
      if (frame.state === "comma") {
        if (c !== ",") return fail(pos, "expected `,` or `]`");
        pos++;
        frame.state = "value";
        continue;
      }
      frame.state = "comma";
      top = scanValue();
      if (top) return top;
      continue;
    }
    // object
    if (frame.state === "first" && c === "}") {
      stack.pop();
      pos++;
      continue;
    }
    if (frame.state === "comma") {
      if (c === "}") {
        stack.pop();
        pos++;
        continue;
      }
      if (c !== ",") return fail(pos, "expected `,` or `}`");
      pos++;
      frame.state = "key";
      continue;
    }
    if (frame.state === "first" || frame.state === "key") {
      if (c !== '"') return fail(pos, "expected a property name in double quotes");
      const start = pos;
      const r = scanString();
      if (typeof r !== "number") return r;
      if (stack.length === 1) {
        keys.push({ key: JSON.parse(text.slice(start, r)) as string, ...locate(start) });
      }
      frame.state = "colon";
      continue;
    }
    if (frame.state === "colon") {
      if (c !== ":") return fail(pos, "expected `:` after a property name");
      pos++;
      frame.state = "value";
      continue;
    }
    frame.state = "comma";
    top = scanValue();
    if (top) return top;
  }
  skipWs();
  if (pos < n) return fail(pos, "unexpected text after the document");
  return { ok: true, value: JSON.parse(text), keys };
}
