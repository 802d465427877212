/** One challenge of a `WWW-Authenticate` header: scheme and parameters (lower-cased names). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses the first challenge of a `WWW-Authenticate` header such as
 * `Bearer realm="https://x/token",service="reg",scope="repository:a:pull"`.
 */
export function parseChallenge(header: string): AuthChallenge | undefined {
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!match?.[1]) return undefined;
  const params: Record<string, string> = {};
  const rest = match[2] ?? "";
  const param = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  for (let found = param.exec(rest); found !== null && found[0] !== ""; found = param.exec(rest)) {
    const [, name = "", quoted, bare] = found;
    params[name.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : (bare ?? "");
  }
  return { scheme: match[1], params };
}
