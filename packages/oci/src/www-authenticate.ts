/** One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1). */
export interface AuthChallenge {
  /** The auth scheme, lower case: `"bearer"`, `"basic"`... */
  readonly scheme: string;
  /** Auth parameters, names lower case, values unquoted and unescaped. */
  readonly params: Readonly<Record<string, string>>;
  /** The token68 form (`Negotiate abc==`), when the challenge carries one instead of parameters. */
  readonly token68?: string;
}

// RFC 9110 §5.6.2 tchar.
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
// RFC 9110 §11.2 token68 characters (without the trailing "=" padding).
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t";
}

/**
 * Parses every challenge of one or more `WWW-Authenticate` values. Copes with quoted strings
 * (with `\"` escapes and commas inside), several challenges in one value, token68 credentials and
 * unquoted values; never throws: garbage is skipped up to the next comma.
 *
 * @example
 * parseWwwAuthenticate('Bearer realm="https://a/token",service="reg",scope="repository:x:pull"')
 * // [{ scheme: "bearer", params: { realm: "https://a/token", service: "reg", scope: "repository:x:pull" } }]
 */
export function parseWwwAuthenticate(value: string | readonly string[] | undefined): AuthChallenge[] {
  if (value === undefined) return [];
  const input = typeof value === "string" ? value : value.join(", ");
  const out: AuthChallenge[] = [];
  const n = input.length;
  let pos = 0;

  const skipSpaces = (): void => {
    while (pos < n && isSpace(input[pos])) pos++;
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < n && TCHAR.test(input[pos]!)) pos++;
    return input.slice(start, pos);
  };
  const skipToComma = (): void => {
    while (pos < n && input[pos] !== ",") {
      if (input[pos] === '"') readQuoted();
      else pos++;
    }
  };
  // Reads a quoted-string starting at the opening quote; an unterminated one runs to the end.
  const readQuoted = (): string => {
    pos++;
    let text = "";
    while (pos < n) {
      const c = input[pos]!;
      if (c === "\\" && pos + 1 < n) {
        text += input[pos + 1];
        pos += 2;
      } else if (c === '"') {
        pos++;
        return text;
      } else {
        text += c;
        pos++;
      }
    }
    return text;
  };
  // Whether an auth-param (`name = value`) starts at pos, without consuming anything.
  const paramAhead = (): boolean => {
    const save = pos;
    const name = readToken();
    skipSpaces();
    const isParam = name !== "" && input[pos] === "=" && !tokenSixtyEightEnds(pos);
    pos = save;
    return isParam;
  };
  // After "name", an "=" that is only token68 padding ends with OWS then "," or the end.
  const tokenSixtyEightEnds = (at: number): boolean => {
    let i = at;
    while (i < n && input[i] === "=") i++;
    while (i < n && isSpace(input[i])) i++;
    return i === n || input[i] === ",";
  };

  while (pos < n) {
    while (pos < n && (input[pos] === "," || isSpace(input[pos]))) pos++;
    if (pos >= n) break;
    const scheme = readToken();
    if (scheme === "") {
      // Not a challenge: skip this element.
      pos++;
      skipToComma();
      continue;
    }
    const params: Record<string, string> = Object.create(null);
    let token68: string | undefined;
    const hadSpace = isSpace(input[pos]);
    skipSpaces();
    if (hadSpace && pos < n && input[pos] !== ",") {
      if (paramAhead()) {
        parseParams(params);
      } else {
        const start = pos;
        while (pos < n && TOKEN68_CHAR.test(input[pos]!)) pos++;
        while (pos < n && input[pos] === "=") pos++;
        const candidate = input.slice(start, pos);
        skipSpaces();
        if (candidate !== "" && (pos === n || input[pos] === ",")) token68 = candidate;
        else skipToComma();
      }
    } else if (pos < n && input[pos] !== ",") {
      // The scheme ran into a character that cannot follow it: not a challenge, skip it.
      skipToComma();
      continue;
    }
    out.push(
      token68 === undefined
        ? { scheme: scheme.toLowerCase(), params }
        : { scheme: scheme.toLowerCase(), params, token68 },
    );
  }
  return out;

  // Reads `name=value` pairs separated by commas until the next challenge or the end.
  function parseParams(params: Record<string, string>): void {
    for (;;) {
      const name = readToken().toLowerCase();
      skipSpaces();
      if (name === "" || input[pos] !== "=") {
        skipToComma();
      } else {
        pos++;
        skipSpaces();
        let value: string;
        if (input[pos] === '"') {
          value = readQuoted();
        } else {
          // Lenient: an unquoted value runs to the next comma or space (realm=https://a/b).
          const start = pos;
          while (pos < n && input[pos] !== "," && !isSpace(input[pos])) pos++;
          value = input.slice(start, pos);
        }
        // The first occurrence of a parameter wins (RFC 9110 §11.2: names occur once).
        if (!(name in params)) params[name] = value;
        skipSpaces();
        if (pos < n && input[pos] !== ",") skipToComma();
      }
      // At a comma or the end: another parameter follows, or a new challenge starts.
      while (pos < n && (input[pos] === "," || isSpace(input[pos]))) pos++;
      if (pos >= n || !paramAhead()) return;
    }
  }
}

/** The first challenge with `scheme` (case-insensitive), if any. */
export function findChallenge(
  challenges: readonly AuthChallenge[],
  scheme: string,
): AuthChallenge | undefined {
  const wanted = scheme.toLowerCase();
  return challenges.find((c) => c.scheme === wanted);
}
