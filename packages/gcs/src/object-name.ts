/**
 * Percent-encoding for GCS object names. Both APIs take the RFC 3986 unreserved set literally and
 * everything else as `%XX` of its UTF-8 bytes; the XML API keeps `/` in the path, the JSON API
 * needs it encoded (`%2F`) because the object name is one path segment there.
 */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 encoding; `/` kept when `keepSlash` is set. */
export function encodeName(text: string, keepSlash: boolean): string {
  let out = "";
  for (const char of text) {
    if (UNRESERVED.test(char) || (keepSlash && char === "/")) out += char;
    else
      for (const byte of Buffer.from(char, "utf8"))
        out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/** Decodes `%XX` runs (a lone `%` stays literal, `+` is a plus); undefined on invalid UTF-8. */
export function percentDecode(text: string): string | undefined {
  if (!text.includes("%")) return text;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let failed = false;
  const out = text.replace(PERCENT_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    try {
      return decoder.decode(bytes);
    } catch {
      failed = true;
      return run;
    }
  });
  return failed ? undefined : out;
}
