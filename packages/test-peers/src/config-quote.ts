/** Rejects values that could break out of a config directive (newlines, NUL, `;`, braces, quotes). */
export function assertPlainConfigValue(what: string, value: string): string {
  if (/[\r\n\0;{}"'\\]/.test(value)) {
    throw new TypeError(
      `${what} must not contain newlines, quotes, backslashes, ';' or braces: ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Quotes a path or value for nginx.conf (double quotes; the value is checked first). */
export function nginxQuote(what: string, value: string): string {
  return `"${assertPlainConfigValue(what, value)}"`;
}
