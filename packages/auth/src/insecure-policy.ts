import { InvalidOptionsError } from "@switchyard/core";
import { parseKey } from "./credential-key.ts";
import { createMatcher } from "./credential-matcher.ts";

/**
 * Which plain-http URLs may carry stored credentials: `true` for all, or keys (`127.0.0.1:5000`,
 * `*.corp.internal`) matched like store keys. Throws InvalidOptionsError for anything else.
 */
export function insecurePolicy(value: boolean | readonly string[] | undefined): (url: URL) => boolean {
  if (value === undefined || value === false) return () => false;
  if (value === true) return () => true;
  if (!Array.isArray(value)) {
    throw new InvalidOptionsError("auth: allowInsecureHttp must be a boolean or an array of keys");
  }
  const entries = value.map((key: unknown, i) => {
    const parsed = parseKey(String(key));
    if (typeof key !== "string" || !parsed.ok) {
      throw new InvalidOptionsError(
        `auth: allowInsecureHttp[${i}] is not a valid key${parsed.ok ? "" : `: ${parsed.reason}`}`,
      );
    }
    return { key: parsed.key, value: true };
  });
  const matcher = createMatcher(entries);
  return (url) => matcher.match(url) !== undefined;
}
