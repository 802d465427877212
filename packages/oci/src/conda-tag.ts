// Characters conda versions and build strings may hold that OCI tags cannot, and what rattler (and
// the conda OCI mirrors) write instead. Tags allow only [A-Za-z0-9_.-].
const ESCAPES: readonly (readonly [string, string])[] = [
  ["+", "__p__"],
  ["!", "__e__"],
  ["=", "__eq__"],
];

/**
 * Turns a conda `version-build` string into an OCI tag the way rattler does: `+` -> `__p__`,
 * `!` -> `__e__`, `=` -> `__eq__`.
 *
 * @example
 * escapeCondaTag("1!2.0+cpu-py_0") // "1__e__2.0__p__cpu-py_0"
 */
export function escapeCondaTag(versionBuild: string): string {
  let out = "";
  for (const c of versionBuild) {
    const pair = ESCAPES.find(([raw]) => raw === c);
    out += pair ? pair[1] : c;
  }
  return out;
}

/**
 * Reverses {@link escapeCondaTag}. Reads left to right so that an escape is never matched across
 * the end of another one (`__p__e__e__` is `+e!`, not `__p!e__`); exact for every string without
 * `__` of its own.
 */
export function unescapeCondaTag(tag: string): string {
  let out = "";
  let i = 0;
  while (i < tag.length) {
    if (tag.startsWith("__", i)) {
      const pair = ESCAPES.find(([, escaped]) => tag.startsWith(escaped, i));
      if (pair) {
        out += pair[0];
        i += pair[1].length;
        continue;
      }
    }
    out += tag[i];
    i++;
  }
  return out;
}
