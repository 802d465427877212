/** The seven Switchyard plugins, in the order the matrix columns and subsets use. */
export const PLUGIN_NAMES = ["retry", "retry-after", "auth", "oci", "s3", "gcs", "mirror"] as const;

/** One of the seven plugin names (the package name without `@switchyard/`). */
export type PluginName = (typeof PLUGIN_NAMES)[number];

/** The npm package of each plugin. */
export const PLUGIN_PACKAGES: Readonly<Record<PluginName, string>> = Object.freeze({
  retry: "@switchyard/retry",
  "retry-after": "@switchyard/retry-after",
  auth: "@switchyard/auth",
  oci: "@switchyard/oci",
  s3: "@switchyard/s3",
  gcs: "@switchyard/gcs",
  mirror: "@switchyard/mirror",
});

/** Tells whether a string names a plugin. */
export function isPluginName(value: string): value is PluginName {
  return (PLUGIN_NAMES as readonly string[]).includes(value);
}

/**
 * Parses a `--with retry,auth` list: names separated by commas, no duplicates. Throws a `TypeError`
 * naming the bad entry and the valid names.
 */
export function parsePluginList(list: string): PluginName[] {
  const out: PluginName[] = [];
  for (const raw of list.split(",")) {
    const name = raw.trim();
    if (name === "") continue;
    if (!isPluginName(name)) {
      throw new TypeError(`unknown plugin ${JSON.stringify(name)}; known: ${PLUGIN_NAMES.join(", ")}`);
    }
    if (out.includes(name)) throw new TypeError(`plugin ${name} is listed twice`);
    out.push(name);
  }
  return out;
}

/**
 * The plugins of the composition matrix: the seven above (which the CLI commands also configure)
 * plus the resilience plugins, which only the matrix assembles.
 */
export const MATRIX_PLUGIN_NAMES = [...PLUGIN_NAMES, "breaker", "hedge", "rate-limit"] as const;

/** One of the matrix's plugin names. */
export type MatrixPluginName = (typeof MATRIX_PLUGIN_NAMES)[number];

/** The npm package of each matrix plugin. */
export const MATRIX_PLUGIN_PACKAGES: Readonly<Record<MatrixPluginName, string>> = Object.freeze({
  ...PLUGIN_PACKAGES,
  breaker: "@switchyard/breaker",
  hedge: "@switchyard/hedge",
  "rate-limit": "@switchyard/rate-limit",
});
